import type { Deadline } from "./deadline.js";
import { toAetherError } from "./toAetherError.js";

/** How long a call may take in all, and how long each of its requests may wait. */
export interface RetryBudget {
  deadline: Deadline;
  requestTimeoutMs: number;
}

/**
 * Runs an idempotent NATS call, repeating it after retryable failures (timeouts, no responders,
 * a cluster between leaders) until the deadline; then throws the last failure as an AetherError.
 */
export async function retrying<T>(
  budget: RetryBudget,
  operation: string,
  call: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(budget.deadline.requestTimeout(budget.requestTimeoutMs));
    } catch (error) {
      const mapped = toAetherError(error, operation);
      if (!mapped.retryable || !(await budget.deadline.backoff(attempt))) throw mapped;
    }
  }
}
