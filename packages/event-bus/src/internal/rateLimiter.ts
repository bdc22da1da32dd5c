import type { Clock } from "@aether/kernel";

/**
 * Lets one log line through per interval and counts the occurrences it held back, so a storm of
 * drops or bad messages costs a counter increment each instead of a log line each.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #nextAt = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(clock: Clock, intervalMs: number) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  /**
   * Records one occurrence. Returns how many occurrences were held back since the last line when
   * this one should be logged, or undefined when it should not.
   */
  hit(): number | undefined {
    const now = this.#clock.now();
    if (now < this.#nextAt) {
      this.#suppressed++;
      return undefined;
    }
    this.#nextAt = now + this.#intervalMs;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed;
  }
}
