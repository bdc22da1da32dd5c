import { isJetStreamApiError } from "@aether/nats/jetstream";
import { EventSourcingError } from "../../../eventSourcingError.js";

// What nats-server says when a limit refuses a message (JSStreamStoreFailedF, err_code 10077, and
// the account and server resource errors). It answers 503 for some of them, which would otherwise
// read as "no leader yet" and be retried until the call's timeout.
const LIMITS: readonly [RegExp, string][] = [
  [/maximum messages per subject exceeded/i, "max_msgs_per_subject"],
  [/maximum messages exceeded/i, "max_msgs"],
  [/maximum bytes exceeded/i, "max_bytes"],
  [/resource limits exceeded for account/i, "the account's JetStream limits"],
  [/insufficient resources/i, "the server's JetStream storage"],
];

/**
 * The permanent refusal of an append by a stream or account limit, as a non-retryable
 * STREAM_LIMIT_REACHED naming the limit; undefined for any other failure.
 */
export function limitRefusal(
  error: unknown,
  context: { stream: string; operation: string },
): EventSourcingError<"STREAM_LIMIT_REACHED"> | undefined {
  if (!isJetStreamApiError(error)) return undefined;
  const found = LIMITS.find(([pattern]) => pattern.test(error.message));
  if (found === undefined) return undefined;
  const limit = found[1];
  return new EventSourcingError(
    "STREAM_LIMIT_REACHED",
    `${context.operation}: stream ${context.stream} refused it because ${limit} is reached (${error.message}); retrying cannot help: raise or remove the limit`,
    { cause: error, details: { stream: context.stream, limit } },
  );
}
