import { AetherError, AetherErrorCode, type Event } from "@aether/kernel";
import type { CatchUpItem, CatchUpSubscription, SubscribeAllOptions } from "../allEvents.js";
import { checkFromPosition, type LogSource } from "./logSource.js";

function filterOf(
  options: SubscribeAllOptions,
): ((event: Event) => boolean) | undefined {
  const types = options.eventTypes === undefined ? undefined : new Set(options.eventTypes);
  const actors = options.actorIds === undefined ? undefined : new Set(options.actorIds);
  if (types === undefined && actors === undefined) return undefined;
  return (event) =>
    (types === undefined || types.has(event.eventType)) &&
    (actors === undefined || actors.has(event.actorId));
}

/**
 * The one catch-up subscription of every store, over the store's LogSource: the source decides
 * where the head is and keeps a single read going from the backlog into live entries, so the
 * switch has no gap and no repeat by construction; this adds filters and the caught-up signal.
 */
export class SourceSubscription implements CatchUpSubscription {
  readonly caughtUp: Promise<number>;
  readonly #source: LogSource;
  readonly #from: number;
  readonly #matches: ((event: Event) => boolean) | undefined;
  readonly #abort = new AbortController();
  #markCaughtUp: (position: number) => void = () => undefined;
  #position: number;
  #iterated = false;

  constructor(source: LogSource, options: SubscribeAllOptions = {}) {
    this.#source = source;
    this.#from = checkFromPosition(options.from);
    this.#position = this.#from - 1;
    this.#matches = filterOf(options);
    // Never rejects: a subscription closed before it caught up simply never resolves it.
    this.caughtUp = new Promise((resolve) => (this.#markCaughtUp = resolve));
  }

  get position(): number {
    return this.#position;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CatchUpItem> {
    if (this.#iterated) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        "a catch-up subscription can be iterated only once; subscribe again for a second reader",
      );
    }
    this.#iterated = true;
    const signal = this.#abort.signal;
    let caughtUp = false;
    try {
      for await (const chunk of this.#source({ from: this.#from, live: true, signal })) {
        for (const entry of chunk.entries) {
          this.#position = entry.position;
          if (entry.error !== undefined) {
            yield { type: "malformed", position: entry.position, error: entry.error };
            if (signal.aborted) return;
            continue;
          }
          const { events } = entry;
          let last = events.length - 1;
          while (last >= 0 && this.#matches?.(events[last]!) === false) last--;
          for (let index = 0; index <= last; index++) {
            const event = events[index]!;
            if (this.#matches?.(event) === false) continue;
            yield { type: "event", position: entry.position, event, lastInPosition: index === last };
            if (signal.aborted) return;
          }
        }
        if (chunk.atHead && !caughtUp) {
          caughtUp = true;
          this.#markCaughtUp(this.#position);
          yield { type: "caughtUp", position: this.#position };
        }
        if (signal.aborted) return;
      }
    } finally {
      this.#abort.abort();
    }
  }

  async close(): Promise<void> {
    this.#abort.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
