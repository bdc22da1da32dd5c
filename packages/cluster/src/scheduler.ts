import { performance } from "node:perf_hooks";

/**
 * Where a cluster node reads monotonic time and sets its timers. Leases are measured on it, so it
 * must never jump backwards; wall-clock time (for event timestamps) comes from the kernel `Clock`.
 * A simulation passes a virtual one that moves only when told to.
 */
export interface Scheduler {
  /** Monotonic milliseconds; only differences matter. */
  now(): number;
  /** Runs `callback` once after `ms`; returns a function that cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

/** `performance.now()` and Node's timers. */
export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
