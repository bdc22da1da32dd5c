/** Where Aether reads the time, so tests can control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | Date = 0) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.#now += ms;
  }

  set(to: number | Date): void {
    this.#now = typeof to === "number" ? to : to.getTime();
  }
}

let lastMs = Number.NaN;
let lastIso = "";

/** ISO-8601 form of the clock's current time. */
export function isoNow(clock: Clock): string {
  // Hot paths stamp many events within one millisecond; formatting a Date is the slow part.
  const ms = clock.now();
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
