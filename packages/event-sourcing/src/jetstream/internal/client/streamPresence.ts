import { toAetherError } from "@aether/nats";
import { JetStreamErrorCode, isJetStreamApiError, type StreamClient } from "@aether/nats/jetstream";

/**
 * Whether `error` (from a call on the stream) happened because the stream no longer exists. A
 * publish or direct get to a deleted stream finds no responders, exactly like a stream without a
 * leader yet; only the server can tell them apart, so it is asked (STREAM.INFO) — only on such
 * failures, never on the way of a successful call.
 */
export async function isStreamGone(
  client: StreamClient,
  error: unknown,
  timeoutMs: number,
): Promise<boolean> {
  const suspicious =
    isJetStreamApiError(error, JetStreamErrorCode.StreamNotFound) ||
    toAetherError(error, "").code === "UNAVAILABLE";
  if (!suspicious) return false;
  try {
    await client.api(`STREAM.INFO.${client.stream}`, undefined, timeoutMs);
    return false;
  } catch (infoError) {
    return isJetStreamApiError(infoError, JetStreamErrorCode.StreamNotFound);
  }
}
