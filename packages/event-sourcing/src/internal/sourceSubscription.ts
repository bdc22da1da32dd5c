import { AetherError, AetherErrorCode, type Event } from "@aether/kernel";
import type { CatchUpItem, CatchUpSubscription, SubscribeAllOptions } from "../allEvents.js";
import { checkFromPosition, type LogChunk, type LogSource } from "./logSource.js";

function filterOf(options: SubscribeAllOptions): ((event: Event) => boolean) | undefined {
  const types = options.eventTypes === undefined ? undefined : new Set(options.eventTypes);
  const actors = options.actorIds === undefined ? undefined : new Set(options.actorIds);
  if (types === undefined && actors === undefined) return undefined;
  return (event) =>
    (types === undefined || types.has(event.eventType)) &&
    (actors === undefined || actors.has(event.actorId));
}

const finished: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The one catch-up subscription of every store, over the store's LogSource: the source decides
 * where the head is and keeps a single read going from the backlog into live entries, so the
 * switch has no gap and no repeat by construction; this adds filters and the caught-up signal.
 * A hand-written iterator rather than an async generator: items of a chunk that has arrived are
 * handed out without resuming a generator for each, which is most of a catch-up's cost.
 */
export class SourceSubscription implements CatchUpSubscription {
  readonly caughtUp: Promise<number>;
  readonly #source: LogSource;
  readonly #from: number;
  readonly #matches: ((event: Event) => boolean) | undefined;
  readonly #abort = new AbortController();
  #markCaughtUp: (position: number) => void = () => undefined;
  #chunks: AsyncIterator<LogChunk> | undefined;
  #items: CatchUpItem[] = [];
  #next = 0;
  #refilling: Promise<IteratorResult<CatchUpItem>> | undefined;
  #caughtUp = false;
  #position: number;

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

  [Symbol.asyncIterator](): AsyncIterator<CatchUpItem> {
    if (this.#chunks !== undefined) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        "a catch-up subscription can be iterated only once; subscribe again for a second reader",
      );
    }
    this.#chunks = this.#source({ from: this.#from, live: true, signal: this.#abort.signal })[
      Symbol.asyncIterator
    ]();
    return {
      next: () => this.#take(),
      return: async () => {
        await this.close();
        return finished;
      },
    };
  }

  #take(): Promise<IteratorResult<CatchUpItem>> {
    if (this.#refilling !== undefined) return this.#refilling.then(() => this.#take());
    if (this.#abort.signal.aborted) return this.#finish();
    const item = this.#items[this.#next];
    if (item !== undefined) {
      this.#next++;
      this.#handOut(item);
      return Promise.resolve({ done: false, value: item });
    }
    this.#refilling = this.#refill().finally(() => (this.#refilling = undefined));
    return this.#refilling;
  }

  #handOut(item: CatchUpItem): void {
    this.#position = item.position;
    if (item.type === "caughtUp") this.#markCaughtUp(item.position);
  }

  async #refill(): Promise<IteratorResult<CatchUpItem>> {
    for (;;) {
      const chunk = await this.#chunks!.next();
      if (chunk.done === true || this.#abort.signal.aborted) return this.#finish();
      this.#items = this.#itemsOf(chunk.value);
      this.#next = 0;
      const item = this.#items[this.#next++];
      if (item !== undefined) {
        this.#handOut(item);
        return { done: false, value: item };
      }
    }
  }

  #itemsOf(chunk: LogChunk): CatchUpItem[] {
    const items: CatchUpItem[] = [];
    for (const entry of chunk.entries) {
      if (entry.error !== undefined) {
        items.push({ type: "malformed", position: entry.position, error: entry.error });
        continue;
      }
      const { events, position } = entry;
      const matches = this.#matches;
      let last = events.length - 1;
      if (matches !== undefined) while (last >= 0 && !matches(events[last]!)) last--;
      for (let index = 0; index <= last; index++) {
        const event = events[index]!;
        if (matches !== undefined && !matches(event)) continue;
        items.push({ type: "event", position, event, lastInPosition: index === last });
      }
    }
    if (chunk.atHead && !this.#caughtUp) {
      this.#caughtUp = true;
      const last = chunk.entries[chunk.entries.length - 1];
      items.push({ type: "caughtUp", position: last?.position ?? this.#lastPosition(items) });
    }
    return items;
  }

  #lastPosition(items: CatchUpItem[]): number {
    return items[items.length - 1]?.position ?? this.#position;
  }

  async #finish(): Promise<IteratorResult<CatchUpItem>> {
    this.#abort.abort();
    this.#items = [];
    await this.#chunks?.return?.();
    return finished;
  }

  /**
   * Ends the subscription and lets its source clean up (on JetStream: unsubscribe and delete the
   * consumer). A refill in progress sees the abort and finishes the source itself.
   */
  async close(): Promise<void> {
    this.#abort.abort();
    if (this.#refilling === undefined) await this.#finish();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
