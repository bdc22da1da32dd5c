import { AetherError, systemClock } from "@aether/kernel";
import type { Clock } from "@aether/kernel";
import { ClusterError } from "./clusterError.js";
import type {
  Coordination,
  CoordinationChange,
  CoordinationEntry,
  CoordinationWatch,
  CoordinationWatchOptions,
} from "./coordination.js";
import { ChangeQueue } from "./internal/changeQueue.js";

export interface InMemoryCoordinationOptions {
  /** Stamps each entry's `timestamp`. @default systemClock */
  clock?: Clock;
}

interface Watcher {
  prefix: string;
  queue: ChangeQueue<CoordinationChange>;
}

/**
 * Coordination in one process: every node given the same instance is in the same cluster. Writes
 * are atomic and totally ordered by one revision counter, as NATS KV's stream sequence is; watchers
 * hear changes asynchronously, in order.
 */
export class InMemoryCoordination implements Coordination {
  readonly #clock: Clock;
  readonly #entries = new Map<string, CoordinationEntry>();
  /** Last revision of each key that was ever written, deletes included (the KV delete marker). */
  readonly #lastRevision = new Map<string, number>();
  readonly #watchers = new Set<Watcher>();
  #revision = 0;
  #closed = false;

  constructor(options: InMemoryCoordinationOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async get(key: string): Promise<CoordinationEntry | undefined> {
    this.#checkOpen();
    return this.#entries.get(key);
  }

  async keys(prefix = ""): Promise<string[]> {
    this.#checkOpen();
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix));
  }

  async create(key: string, value: string): Promise<number> {
    this.#checkOpen();
    if (this.#entries.has(key)) {
      throw ClusterError.conflict(key, "already exists");
    }
    return this.#write(key, value);
  }

  async update(key: string, value: string, revision: number): Promise<number> {
    this.#checkOpen();
    const current = this.#lastRevision.get(key) ?? 0;
    if (current !== revision || !this.#entries.has(key)) {
      throw ClusterError.conflict(key, `expected revision ${revision}, found ${current}`);
    }
    return this.#write(key, value);
  }

  async delete(key: string, revision?: number): Promise<void> {
    this.#checkOpen();
    const current = this.#lastRevision.get(key) ?? 0;
    if (revision !== undefined && current !== revision) {
      throw ClusterError.conflict(key, `expected revision ${revision}, found ${current}`);
    }
    if (this.#entries.has(key)) this.#write(key, undefined);
  }

  watch(options: CoordinationWatchOptions = {}): CoordinationWatch {
    const prefix = options.prefix ?? "";
    const watcher: Watcher = {
      prefix,
      queue: new ChangeQueue<CoordinationChange>(() => this.#watchers.delete(watcher)),
    };
    if (this.#closed) {
      watcher.queue.fail(closedError());
    } else {
      for (const entry of [...this.#entries.values()].sort((a, b) => a.revision - b.revision)) {
        if (entry.key.startsWith(prefix)) watcher.queue.push(entry);
      }
      this.#watchers.add(watcher);
    }
    return Object.assign(watcher.queue, { stop: () => watcher.queue.end() });
  }

  /** Ends every watch with a `CLOSED` error and refuses further calls (a lost store, for tests). */
  close(): void {
    this.#closed = true;
    for (const watcher of [...this.#watchers]) watcher.queue.fail(closedError());
  }

  #write(key: string, value: string | undefined): number {
    const revision = ++this.#revision;
    const timestamp = this.#clock.now();
    this.#lastRevision.set(key, revision);
    if (value === undefined) this.#entries.delete(key);
    else this.#entries.set(key, { key, value, revision, timestamp });
    const change: CoordinationChange = { key, value, revision, timestamp };
    for (const watcher of this.#watchers) {
      if (key.startsWith(watcher.prefix)) watcher.queue.push(change);
    }
    return revision;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): AetherError {
  return new AetherError("CLOSED", "InMemoryCoordination was closed");
}
