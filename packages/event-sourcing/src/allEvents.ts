import type { Event } from "@aether/kernel";
import type { ReplayError } from "./eventStore.js";

/**
 * An event with its place in the namespace's total order. Positions start at 1 and grow with
 * every append; the events of one `saveEvents` batch share one position (on JetStream the
 * position is the stream sequence of the message that holds the append).
 */
export interface PositionedEvent {
  position: number;
  event: Event;
}

export interface ReadAllOptions {
  /** First position to read (inclusive); 0 and 1 both mean the beginning. @default 0 */
  from?: number;
  /**
   * Receives each stored entry that is not an event (its `sequence` is its position); the read
   * goes on past it. Without it such entries are logged as warnings.
   */
  onError?: (error: ReplayError) => void;
}

export interface ReadAllPageOptions {
  /** First position to read (inclusive); 0 and 1 both mean the beginning. @default 0 */
  from?: number;
  /** Most positions (appends) to read; a batch is never split. @default 1000 */
  limit?: number;
}

/** One page of the namespace's events, with the malformed entries met on the way. */
export interface AllEventsPage {
  events: PositionedEvent[];
  errors: ReplayError[];
  /** Where the next page starts: one past the last position read (`from` when nothing was). */
  nextPosition: number;
}

/** What a subscription to every event of a namespace delivers, in position order. */
export type CatchUpItem =
  | {
      type: "event";
      position: number;
      event: Event;
      /** Whether no further event of this subscription shares this position (end of a batch). */
      lastInPosition: boolean;
    }
  /** Delivered once: every event stored when the subscription reached the head has been delivered. */
  | { type: "caughtUp"; position: number }
  /** A stored entry that is not an event; the subscription goes on past it. */
  | { type: "malformed"; position: number; error: ReplayError };

export interface SubscribeAllOptions {
  /** First position to deliver (inclusive); 0 and 1 both mean the beginning. @default 0 */
  from?: number;
  /** Deliver only events of these types (malformed entries are always delivered). */
  eventTypes?: readonly string[];
  /** Deliver only events of these actors (malformed entries are always delivered). */
  actorIds?: readonly string[];
}

/**
 * Every event of a namespace from a position on: the stored ones up to the head, one `caughtUp`
 * item, then new ones as they are stored, with no gap and no repeat at the switch. It reads only
 * as fast as it is iterated. `close()` (or leaving a `for await` loop) ends it.
 */
export interface CatchUpSubscription extends AsyncIterable<CatchUpItem>, AsyncDisposable {
  /** Resolves with the head position once the `caughtUp` item has been delivered. */
  readonly caughtUp: Promise<number>;
  /** The position of the last item delivered; `from - 1` before any. */
  readonly position: number;
  close(): Promise<void>;
}
