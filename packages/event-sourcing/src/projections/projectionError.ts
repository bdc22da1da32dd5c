import { AetherError, defineErrorCodes } from "@aether/kernel";
import type { ErrorCodeOf, RetryableErrorCodeOf } from "@aether/kernel";

/** The codes of projection failures. */
export const projectionErrorCodes = defineErrorCodes({
  /**
   * The checkpoint was not where this runner left it: another runner for the same name moved
   * it, so this runner's work was rolled back (or, without transactions, not recorded).
   */
  CheckpointMoved: { code: "CHECKPOINT_MOVED", retryable: true },
  /** The runner's lease lapsed (or was taken over) before it could commit; it waits for it again. */
  LeaseLost: { code: "PROJECTION_LEASE_LOST", retryable: true },
  /** The projection's `handle` (or `reset`) threw; the runner stopped at the last checkpoint. */
  HandlerFailed: { code: "PROJECTION_HANDLER_FAILED", retryable: false },
});
export type ProjectionErrorCode = ErrorCodeOf<typeof projectionErrorCodes>;

export class ProjectionError<
  C extends ProjectionErrorCode = ProjectionErrorCode,
> extends AetherError<
  C,
  C extends RetryableErrorCodeOf<typeof projectionErrorCodes> ? true : false
> {
  constructor(code: C, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { codes: projectionErrorCodes, ...options });
    this.name = "ProjectionError";
  }
}

/** The error a checkpoint store throws when the checkpoint is not at `expected`. */
export function checkpointMoved(
  name: string,
  expected: number,
  actual: number | undefined,
): ProjectionError {
  return new ProjectionError(
    "CHECKPOINT_MOVED",
    `projection ${JSON.stringify(name)}: the checkpoint is at ${actual ?? "an unknown position"}, not ${expected}; another runner moved it`,
  );
}
