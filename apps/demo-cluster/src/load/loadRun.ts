import type { TransferRequest } from "../domain/transfer.js";

export interface LoadOptions {
  /** Transfers started per second. */
  rate: number;
  durationMs: number;
  accounts: readonly string[];
  /** @default 20 */
  maxAmount?: number;
  /** Transfers in flight at most; past it the run falls behind its rate rather than pile up. @default 1024 */
  maxInFlight?: number;
}

/** How one transfer ended, as the load run counts it. */
export type TransferResult = "completed" | "refunded" | "refused" | "failed";

export interface LoadProgress {
  running: boolean;
  elapsedMs: number;
  /** Transfers the schedule called for so far (started + skipped). */
  due: number;
  started: number;
  /** Not started because `maxInFlight` were already waiting: the run fell behind its rate. */
  skipped: number;
  completed: number;
  refunded: number;
  refused: number;
  failed: number;
  inFlight: number;
  /** Transfers answered per second over the last second (while running) or the whole run. */
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const TICK_MS = 10;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Starts transfers between random pairs of accounts at a steady rate (open loop: one slow answer
 * does not slow the next start) and keeps latencies for percentiles.
 */
export class LoadRun {
  readonly #send: (request: TransferRequest) => Promise<TransferResult>;
  readonly #options: Required<LoadOptions>;
  readonly #latencies: number[] = [];
  readonly #recent: { at: number; ms: number }[] = [];
  readonly #counts = { started: 0, skipped: 0, completed: 0, refunded: 0, refused: 0, failed: 0 };
  #inFlight = 0;
  #startedAt = 0;
  #stoppedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idle: (() => void) | undefined;
  readonly finished: Promise<LoadProgress>;
  #finish!: (progress: LoadProgress) => void;

  constructor(send: (request: TransferRequest) => Promise<TransferResult>, options: LoadOptions) {
    if (options.accounts.length < 2) throw new Error("A load run needs at least two accounts");
    this.#send = send;
    this.#options = { maxAmount: 20, maxInFlight: 1024, ...options };
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  start(): this {
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    return this;
  }

  /** Stops starting transfers; `finished` resolves once those in flight have answered. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stoppedAt = Date.now();
    const done = () => this.#finish(this.progress());
    if (this.#inFlight === 0) done();
    else this.#idle = done;
  }

  #tick(): void {
    const elapsed = Date.now() - this.#startedAt;
    if (elapsed >= this.#options.durationMs) {
      this.stop();
      return;
    }
    const due =
      Math.floor((elapsed / 1000) * this.#options.rate) -
      this.#counts.started -
      this.#counts.skipped;
    const room = Math.max(0, this.#options.maxInFlight - this.#inFlight);
    for (let i = 0; i < Math.min(due, room); i++) this.#startOne();
    // Behind and out of room: skip what cannot start, so the run does not burst later.
    if (due > room) this.#counts.skipped += due - room;
  }

  #startOne(): void {
    const { accounts, maxAmount } = this.#options;
    const from = Math.floor(Math.random() * accounts.length);
    let to = Math.floor(Math.random() * (accounts.length - 1));
    if (to >= from) to++;
    const request = {
      from: accounts[from]!,
      to: accounts[to]!,
      amount: 1 + Math.floor(Math.random() * maxAmount),
    };
    this.#counts.started++;
    this.#inFlight++;
    const started = performance.now();
    void this.#send(request)
      .catch((): TransferResult => "failed")
      .then((result) => {
        const ms = performance.now() - started;
        this.#counts[result]++;
        this.#latencies.push(ms);
        this.#recent.push({ at: Date.now(), ms });
        this.#inFlight--;
        if (this.#inFlight === 0 && this.#idle !== undefined) this.#idle();
      });
  }

  progress(): LoadProgress {
    const now = Date.now();
    while (this.#recent.length > 0 && this.#recent[0]!.at < now - 1000) this.#recent.shift();
    const running = this.#timer !== undefined;
    const sample = running ? this.#recent.map((entry) => entry.ms) : [...this.#latencies];
    sample.sort((a, b) => a - b);
    const elapsedMs = (this.#stoppedAt ?? now) - this.#startedAt;
    const answered = this.#latencies.length;
    return {
      running,
      elapsedMs,
      due: this.#counts.started + this.#counts.skipped,
      ...this.#counts,
      inFlight: this.#inFlight,
      ratePerSecond: running ? this.#recent.length : answered / Math.max(elapsedMs / 1000, 0.001),
      p50Ms: percentile(sample, 50),
      p99Ms: percentile(sample, 99),
    };
  }
}

/** Account ids of a load run: stable, so a second run finds the first run's accounts. */
export function loadAccountIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `acct-${String(index + 1).padStart(4, "0")}`);
}
