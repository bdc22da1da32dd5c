import { AetherError, defineErrorCodes, type ErrorCodeOf } from "@aether/kernel";

export const runtimeErrorCodes = defineErrorCodes({
  /** The node asked does not serve the actor's shard (any more); the sender re-reads the map and retries. */
  NotServing: { code: "NOT_SERVING", retryable: true },
  /** No node served the actor's shard before the deadline. */
  NoOwner: { code: "NO_OWNER", retryable: true },
});
export type RuntimeErrorCode = ErrorCodeOf<typeof runtimeErrorCodes>;

/** Routing failures of the demo's node runtime; `details` name the shard and the map version seen. */
export class RuntimeError extends AetherError<RuntimeErrorCode, true> {
  constructor(code: RuntimeErrorCode, message: string, details: Record<string, unknown>) {
    super(code, message, { codes: runtimeErrorCodes, details });
    this.name = "RuntimeError";
  }
}
