import type { Scheduler } from "@aether/cluster";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

const flushIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Virtual monotonic time: timers run only when the test advances it, in time order. */
export class VirtualScheduler implements Scheduler {
  readonly #granularityMs: number;
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];

  /**
   * @param granularityMs timers fire on this grid (late by less than it), as real timers fire
   * late; fewer distinct instants make a simulated second cheaper.
   */
  constructor(granularityMs = 1) {
    this.#granularityMs = granularityMs;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, callback: () => void): () => void {
    const due = this.#now + Math.max(0, ms);
    const at = Math.ceil(due / this.#granularityMs) * this.#granularityMs;
    const timer: Timer = { at, seq: ++this.#seq, callback, cancelled: false };
    // Sorted insert from the back: most timers are due after the ones already queued.
    let index = this.#timers.length;
    while (index > 0) {
      const before = this.#timers[index - 1]!;
      if (before.at < timer.at || (before.at === timer.at && before.seq < timer.seq)) break;
      index--;
    }
    this.#timers.splice(index, 0, timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs every timer due within `ms`, letting promise chains settle after each instant. */
  async advance(ms: number, afterEachInstant?: () => void): Promise<void> {
    const until = this.#now + ms;
    await flushIo();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > until) break;
      this.#now = next.at;
      while (this.#timers.length > 0 && this.#timers[0]!.at === this.#now) {
        const timer = this.#timers.shift()!;
        if (!timer.cancelled) timer.callback();
      }
      await flushIo();
      afterEachInstant?.();
    }
    this.#now = until;
    await flushIo();
  }

  /** Advances in steps until `check` holds; throws after `maxMs` of virtual time. */
  async advanceUntil(check: () => boolean, maxMs: number, stepMs = 50): Promise<void> {
    const deadline = this.#now + maxMs;
    while (!check()) {
      if (this.#now >= deadline)
        throw new Error(`condition not reached within ${maxMs} virtual ms`);
      await this.advance(stepMs);
    }
  }
}
