import {
  AetherError,
  AetherErrorCode,
  describeIssues,
  eventSchema,
  type Event,
} from "@aether/kernel";

/** The header that names the publishing node, so a node recognises its own events coming back. */
export const NODE_ID_HEADER = "Aether-Node-Id";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The event as UTF-8 JSON: encoded once per publish, whatever the number of receivers. */
export function encodeEvent(event: Event): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch (error) {
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `Event ${String(event?.id)} cannot be sent to other nodes: it is not JSON-serialisable`,
      { cause: error, details: { eventId: event?.id } },
    );
  }
  if (json === undefined) {
    throw new AetherError(AetherErrorCode.InvalidEvent, "An event must be an object");
  }
  return encoder.encode(json);
}

/** Parses and validates a message from another node; throws `INVALID_EVENT` saying what is wrong. */
export function decodeEvent(data: Uint8Array): Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new AetherError(AetherErrorCode.InvalidEvent, "Message is not UTF-8 JSON", {
      cause: error,
    });
  }
  const result = eventSchema.safeParse(parsed);
  if (!result.success) {
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `Message is not an event: ${describeIssues(result.error)}`,
      { cause: result.error },
    );
  }
  return result.data as Event;
}
