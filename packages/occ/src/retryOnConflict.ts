import { AetherError, AetherErrorCode } from "@aether/kernel";
import { isVersionConflict } from "./versionConflictError.js";

export interface RetryOptions {
  /** Total attempts, the first included. @default 5 */
  maxAttempts?: number;
  /** Delay before the second attempt, in ms; doubles each time. @default 10 */
  initialDelayMs?: number;
  /** Upper bound for one delay, in ms. @default 1000 */
  maxDelayMs?: number;
  /** Which failures are worth another attempt. @default isVersionConflict */
  shouldRetry?: (error: unknown) => boolean;
  /** Told before each new attempt, e.g. to log or count. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** [0, 1) source for the jitter; inject one to make delays reproducible. @default Math.random */
  random?: () => number;
  /** How to wait; inject one to run without real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Stops retrying (the current attempt still finishes). */
  signal?: AbortSignal;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `withRetry: ${name} must be an integer >= 1, got ${value}`,
    );
  }
}

/**
 * Runs `attempt` again when it fails with a retryable error, up to `maxAttempts`, waiting a
 * "full jitter" exponential backoff between attempts so that racing writers spread out. `attempt`
 * must redo the whole read–decide–write cycle: retrying a stale write unchanged cannot succeed.
 * When the attempts run out it throws `RETRIES_EXHAUSTED` with the last failure as `cause`.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxAttempts = 5,
    initialDelayMs = 10,
    maxDelayMs = 1000,
    shouldRetry = isVersionConflict,
    onRetry,
    random = Math.random,
    sleep = realSleep,
    signal,
  } = options;
  checkPositiveInteger("maxAttempts", maxAttempts);
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!shouldRetry(error) || signal?.aborted === true) throw error;
      if (attemptNumber >= maxAttempts) {
        throw new AetherError(
          AetherErrorCode.RetriesExhausted,
          `Gave up after ${maxAttempts} attempts: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, details: { attempts: maxAttempts } },
        );
      }
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attemptNumber - 1));
      const delayMs = Math.floor(random() * ceiling);
      onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs);
    }
  }
}

/**
 * `withRetry` for the reload-and-retry pattern: `attempt` loads the actor, decides and appends;
 * only `VersionConflictError` triggers another attempt.
 */
export function retryOnConflict<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: Omit<RetryOptions, "shouldRetry"> = {},
): Promise<T> {
  return withRetry(attempt, { ...options, shouldRetry: isVersionConflict });
}
