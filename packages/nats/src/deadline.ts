/**
 * The time budget of one store call. Every request and every internal retry inside the call draws
 * from the same budget, so a call never outlives its documented timeout however often it retries.
 * Measured on the monotonic clock: the injectable Clock stamps events, it must not stretch timeouts.
 */
export class Deadline {
  readonly #end: number;

  constructor(timeoutMs: number) {
    this.#end = performance.now() + timeoutMs;
  }

  remaining(): number {
    return Math.max(0, this.#end - performance.now());
  }

  /** The timeout for the next request: the per-request limit, capped by what is left. */
  requestTimeout(perRequestMs: number): number {
    return Math.max(1, Math.min(perRequestMs, Math.ceil(this.remaining())));
  }

  /**
   * Waits before retry number `attempt` (0-based): exponential from 25 ms up to 1 s with full
   * jitter, so writers that failed together do not come back together. Resolves false when the
   * budget would run out first, without waiting.
   */
  async backoff(attempt: number): Promise<boolean> {
    const ceiling = Math.min(1000, 25 * 2 ** attempt);
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    if (wait >= this.remaining()) return false;
    await new Promise((resolve) => setTimeout(resolve, wait));
    return true;
  }
}
