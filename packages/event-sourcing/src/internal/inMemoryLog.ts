import type { Event } from "@aether/kernel";
import type { LogChunk, LogEntry, LogSource } from "./logSource.js";

/** Entries handed to a reader at once: a bound on what one iteration step holds. */
const CHUNK = 256;

/**
 * The namespace-wide log of an in-memory store: one entry per append, position = index + 1.
 * Readers walk the shared array, so a slow reader holds nothing but its index.
 */
export class InMemoryLog {
  readonly #entries: LogEntry[] = [];
  #appended: Promise<void>;
  #wake: () => void = () => undefined;

  constructor() {
    this.#appended = this.#nextAppend();
  }

  #nextAppend(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  append(events: readonly Event[]): void {
    // A copy: the caller may go on to use its array as the actor's growing history.
    this.#entries.push({ position: this.#entries.length + 1, events: Object.freeze([...events]) });
    const wake = this.#wake;
    this.#appended = this.#nextAppend();
    wake();
  }

  readonly source: LogSource = ({ from, live, signal }) => this.#read(from, live, signal);

  async *#read(from: number, live: boolean, signal: AbortSignal): AsyncGenerator<LogChunk> {
    let index = from - 1;
    let atHeadSignalled = false;
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    while (!signal.aborted) {
      const end = this.#entries.length;
      if (index < end) {
        const entries = this.#entries.slice(index, Math.min(end, index + CHUNK));
        index += entries.length;
        const atHead = index >= this.#entries.length;
        atHeadSignalled ||= atHead;
        yield { entries, atHead };
        continue;
      }
      if (!live) return;
      if (!atHeadSignalled) {
        atHeadSignalled = true;
        // Reached the head without entries to carry the news (an empty log, or `from` past it).
        yield { entries: [], atHead: true };
        continue;
      }
      await Promise.race([this.#appended, aborted]);
    }
  }
}
