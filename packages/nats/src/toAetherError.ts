import { AetherError, AetherErrorCode, isAetherError } from "@aether/kernel";

// Matched by name rather than class: a second copy of @nats-io/nats-core in the tree would
// defeat instanceof, and a misclassified failure would turn a retryable error into a fatal one.
function natsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isNoResponders(error: unknown): boolean {
  if (natsErrorName(error) === "NoResponders") return true;
  return natsErrorName(error) === "RequestError" && isNoResponders((error as Error).cause);
}

// nats.js's JetStreamApiError: `status` is HTTP-like, `code` is JetStream's err_code. Read by
// shape, so this module needs no @nats-io/jetstream and a duplicated copy of it still matches.
function asJetStreamRefusal(
  error: unknown,
): { status: number; errCode: number; message: string } | undefined {
  if (natsErrorName(error) !== "JetStreamApiError") return undefined;
  const { status, code, message } = error as Error & { status?: unknown; code?: unknown };
  if (typeof status !== "number") return undefined;
  return { status, errCode: typeof code === "number" ? code : 0, message };
}

// JetStream's err_code for "message size exceeds maximum allowed".
const MESSAGE_TOO_LARGE = 10054;

function isClosed(error: unknown): boolean {
  const name = natsErrorName(error);
  if (name === "ClosedConnectionError" || name === "DrainingConnectionError") return true;
  return name === "RequestError" && isClosed((error as Error).cause);
}

/**
 * Turns whatever a NATS call threw into an AetherError with a kernel code. `operation` says what
 * was being done, e.g. `append to actor "acc-1"`, and leads the message.
 *
 * | failure                                         | code              | retryable |
 * | ----------------------------------------------- | ----------------- | --------- |
 * | no answer in time                               | TIMEOUT           | yes       |
 * | no responders (no stream leader, JetStream down)| UNAVAILABLE       | yes       |
 * | JetStream status 503 (cluster between leaders)  | UNAVAILABLE       | yes       |
 * | JetStream status 408                            | TIMEOUT           | yes       |
 * | message over max_payload / max_msg_size         | PAYLOAD_TOO_LARGE | no        |
 * | connection closed or draining                   | CLOSED            | no        |
 * | anything else                                   | INTERNAL          | no        |
 */
export function toAetherError(error: unknown, operation: string): AetherError<string, boolean> {
  if (isAetherError(error)) return error;
  const cause = { cause: error };
  if (natsErrorName(error) === "TimeoutError") {
    return new AetherError(
      AetherErrorCode.Timeout,
      `${operation}: NATS did not answer in time; the outcome is unknown`,
      cause,
    );
  }
  if (isNoResponders(error)) {
    return new AetherError(
      AetherErrorCode.Unavailable,
      `${operation}: JetStream is not answering (no responders: the stream has no leader or the server is starting)`,
      cause,
    );
  }
  if (isClosed(error)) {
    return new AetherError(
      AetherErrorCode.Closed,
      `${operation}: the NATS connection is closed`,
      cause,
    );
  }
  const apiError = asJetStreamRefusal(error);
  if (apiError !== undefined) {
    const details = { details: { status: apiError.status, errCode: apiError.errCode } };
    if (apiError.errCode === MESSAGE_TOO_LARGE) {
      return new AetherError(AetherErrorCode.PayloadTooLarge, `${operation}: ${apiError.message}`, {
        ...cause,
        ...details,
      });
    }
    const code =
      apiError.status === 503
        ? AetherErrorCode.Unavailable
        : apiError.status === 408
          ? AetherErrorCode.Timeout
          : AetherErrorCode.Internal;
    return new AetherError(code, `${operation}: JetStream refused: ${apiError.message}`, {
      ...cause,
      ...details,
    });
  }
  if (natsErrorName(error) === "InvalidArgumentError" && /max_payload/.test(String(error))) {
    return new AetherError(
      AetherErrorCode.PayloadTooLarge,
      `${operation}: the message is larger than the server's max_payload`,
      cause,
    );
  }
  return new AetherError(
    AetherErrorCode.Internal,
    `${operation}: ${error instanceof Error ? error.message : String(error)}`,
    cause,
  );
}
