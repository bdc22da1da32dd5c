import type { ActorSnapshot, Event, NewEvent } from "@aether/kernel";
import type {
  AllEventsPage,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "./allEvents.js";

/** A stored entry that could not be turned back into an event; replay reports it and goes on. */
export interface ReplayError {
  /** Position of the entry in the backend (the JetStream stream sequence; the index in memory). */
  sequence: number;
  /** The entry as stored, as text (undecodable bytes are shown as U+FFFD). */
  raw: string;
  /** What is wrong with it, e.g. `invalid JSON` or `version: must be >= 1`. */
  error: string;
  /**
   * Set when the entry is part of the history but versions before it are missing (a gap, see
   * `HISTORY_GAP`): replay reports the gap here and goes on with the events beyond it.
   */
  missingVersions?: { from: number; to: number };
}

export interface ReplayResult {
  events: Event[];
  errors: ReplayError[];
}

export interface ReadEventsOptions {
  /** First version to return (inclusive). @default 1 */
  fromVersion?: number;
}

/**
 * An actor's history: append-only, with optimistic concurrency. Implementations never update or
 * delete an event, never retry a conflict on the caller's behalf, and return events that callers
 * cannot mutate to change what is stored.
 */
export interface EventStore {
  /** Appends one event; its version must be the latest + 1, else `VersionConflictError`. */
  saveEvent(event: NewEvent): Promise<void>;
  /** Appends events of one actor with consecutive versions, all or nothing. */
  saveEvents(events: NewEvent[]): Promise<void>;
  /** The actor's events with version >= fromVersion (default 1), ascending. */
  getEvents(actorId: string, fromVersion?: number): Promise<Event[]>;
  /** Like getEvents, but undecodable entries are reported in `errors` while replay goes on. */
  getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult>;
  /** Streams the actor's events without holding them all in memory. */
  readEvents(actorId: string, options?: ReadEventsOptions): AsyncIterable<Event>;
  /** The actor's latest version; 0 when it has no events. */
  getLatestVersion(actorId: string): Promise<number>;
  /** Every event of the namespace in position order, from `from` to the head as it is then. */
  readAll(options?: ReadAllOptions): AsyncIterable<PositionedEvent>;
  /** One page of the namespace's events; entries that are not events are reported in `errors`. */
  getAllEventsWithErrors(options?: ReadAllPageOptions): Promise<AllEventsPage>;
  /** Every event of the namespace from `from`: the stored ones, `caughtUp` once, then live ones. */
  subscribeAll(options?: SubscribeAllOptions): CatchUpSubscription;
}

/** Keeps the latest snapshot of each actor. */
export interface SnapshotStore {
  getLatestSnapshot(actorId: string): Promise<ActorSnapshot | undefined>;
  /** Stores the snapshot as the actor's latest (the last write wins). */
  saveSnapshot(snapshot: ActorSnapshot): Promise<void>;
}
