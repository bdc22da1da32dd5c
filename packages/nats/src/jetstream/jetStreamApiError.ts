import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";

/**
 * The JetStream error codes (`err_code`, nats-server `server/errors.json`) Aether acts on: nats.js's
 * own `JetStreamApiCodes`, plus the ones it does not name.
 */
export const JetStreamErrorCode = {
  ...JetStreamApiCodes,
  MessageTooLarge: 10054,
  StreamNameInUse: 10058,
} as const;

/**
 * True for a refusal from JetStream (nats.js's `JetStreamApiError`), optionally only for one
 * `err_code`. Matched by name as well as class: a second copy of `@nats-io/jetstream` in the tree
 * would defeat instanceof.
 */
export function isJetStreamApiError(error: unknown, errCode?: number): error is JetStreamApiError {
  const isApiError =
    error instanceof JetStreamApiError ||
    (error instanceof Error && error.name === "JetStreamApiError");
  return isApiError && (errCode === undefined || (error as JetStreamApiError).code === errCode);
}
