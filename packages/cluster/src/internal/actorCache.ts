import type { LoadedActor } from "@aether/event-sourcing";
import type { AppliedCommands } from "./appliedCommands.js";

export interface CachedActor {
  readonly shardId: number;
  loaded: LoadedActor<unknown>;
  readonly applied: AppliedCommands;
}

/** The most recently used actors' state, at most `capacity` of them (least recently used go first). */
export class ActorCache {
  readonly capacity: number;
  hits = 0;
  misses = 0;
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  readonly #entries = new Map<string, CachedActor>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedActor | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedActor): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  dropShard(shardId: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.shardId === shardId) this.#entries.delete(key);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
