import { AetherError, AetherErrorCode } from "@aether/kernel";
import { isVersionConflict } from "./versionConflictError.js";

export interface RetryOptions {
  /** Total attempts, the first included. @default 5 */
  maxAttempts?: number;
  /** Ceiling of the delay before the second attempt, in ms; doubles each time. @default 10 */
  initialDelayMs?: number;
  /** Upper bound for one delay, in ms. @default 1000 */
  maxDelayMs?: number;
  /** Which failures are worth another attempt. @default isVersionConflict */
  shouldRetry?: (error: unknown) => boolean;
  /** Told before each new attempt, e.g. to log or count; `attempt` is the one that just failed. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** [0, 1) source for the jitter; inject one to make delays reproducible. @default Math.random */
  random?: () => number;
  /** How to wait; inject one to run without real time. The default wakes early on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Stops retrying: the current attempt still finishes, no new one starts (not even after a wait
   * already begun), and the last failure is thrown as is.
   */
  signal?: AbortSignal;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function invalid(message: string): AetherError {
  return new AetherError(AetherErrorCode.InvalidArgument, `withRetry: ${message}`);
}

function checkOptions(maxAttempts: number, initialDelayMs: number, maxDelayMs: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw invalid(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0)) {
    throw invalid(`initialDelayMs must be a finite number >= 0, got ${initialDelayMs}`);
  }
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) {
    throw invalid(`maxDelayMs must be a finite number >= 0, got ${maxDelayMs}`);
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
  checkOptions(maxAttempts, initialDelayMs, maxDelayMs);
  // A function, not a narrowed property read: the signal may abort while we wait.
  const aborted = () => signal?.aborted === true;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!shouldRetry(error) || aborted()) throw error;
      if (attemptNumber >= maxAttempts) {
        throw new AetherError(
          AetherErrorCode.RetriesExhausted,
          `Gave up after ${maxAttempts} attempts: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, details: { attempts: maxAttempts } },
        );
      }
      // The exponent is capped so that 0 * 2 ** n never becomes NaN on a very long run.
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attemptNumber - 1, 52));
      const delayMs = Math.floor(random() * ceiling);
      onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs, signal);
      if (aborted()) throw error;
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
