/** One key as the coordination store holds it. */
export interface CoordinationEntry {
  readonly key: string;
  readonly value: string;
  /** The store's revision of this write; it grows across the whole store, never per key. */
  readonly revision: number;
  /** The store's time of the write (ms since the epoch), as the server stamped it. */
  readonly timestamp: number;
}

/** A change seen by a watcher: a put, or a delete (`value` undefined). */
export interface CoordinationChange {
  readonly key: string;
  /** Undefined when the key was deleted. */
  readonly value: string | undefined;
  readonly revision: number;
  readonly timestamp: number;
}

/**
 * A live view of the keys under a prefix: first the current entries, then every change in store
 * order. Ending either side ends both: `stop()` ends the iteration, and a store that closes ends
 * the watch (the iteration then finishes, or throws when the store failed).
 */
export interface CoordinationWatch extends AsyncIterable<CoordinationChange> {
  stop(): void;
}

export interface CoordinationWatchOptions {
  /** Keys starting with this prefix; all keys when omitted. */
  prefix?: string;
}

/** The read-only face: what observers (a dashboard) need. */
export interface ReadOnlyCoordination {
  get(key: string): Promise<CoordinationEntry | undefined>;
  /** Keys present now (not deleted), optionally under a prefix. */
  keys(prefix?: string): Promise<string[]>;
  watch(options?: CoordinationWatchOptions): CoordinationWatch;
}

/**
 * Where a cluster keeps its state: a key-value store with compare-and-set on a revision
 * (NATS KV in production, {@link InMemoryCoordination} in tests). A successful `create`,
 * `update` or `delete` is *confirmed*: the implementation made sure that this write, and no racing
 * one, is the write that followed the revision it expected (see `natsCoordination` and
 * nats-server#4320).
 */
export interface Coordination extends ReadOnlyCoordination {
  /** Writes the key only if absent (or deleted); the new revision, else `COORDINATION_CONFLICT`. */
  create(key: string, value: string): Promise<number>;
  /** Writes the key only if its last revision is `revision`, else `COORDINATION_CONFLICT`. */
  update(key: string, value: string, revision: number): Promise<number>;
  /** Deletes the key; with `revision`, only if that is still its last one (else `COORDINATION_CONFLICT`). */
  delete(key: string, revision?: number): Promise<void>;
}
