const TICK_MS = 100;

/**
 * Notices when this process stops turning its event loop (a long synchronous job, a saturated
 * CPU): a timer that should fire every 100 ms and fires late. While the loop stalls nothing reads
 * the NATS socket, and a server cut that has nothing to say but a closed socket is then most
 * likely the server dropping a slow consumer (its outbound buffer for this client overflowed, or
 * a write missed its deadline). The timer is unref'd: it never keeps the process alive.
 */
export class LoopStallWatch {
  readonly #timer: ReturnType<typeof setInterval>;
  #expected = performance.now() + TICK_MS;
  #lastStallMs = 0;
  #lastStallEndedAt = Number.NEGATIVE_INFINITY;

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now();
      const late = now - this.#expected;
      if (late > TICK_MS) {
        this.#lastStallMs = late;
        this.#lastStallEndedAt = now;
      }
      this.#expected = now + TICK_MS;
    }, TICK_MS);
    this.#timer.unref?.();
  }

  /** How long the loop stalled, if a stall of at least `minMs` ended within `withinMs`; else 0. */
  recentStallMs(options: { minMs: number; withinMs: number }): number {
    const recent = performance.now() - this.#lastStallEndedAt <= options.withinMs;
    return recent && this.#lastStallMs >= options.minMs ? Math.round(this.#lastStallMs) : 0;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
