import type { Event } from "@aether/kernel";

/** What a subscriber wants beyond its namespace pattern. */
export interface SubscribeOptions {
  /** Only events whose `eventType` is one of these; omit for every type. */
  eventTypes?: readonly string[];
  /** Only events of this actor. */
  actorId?: string;
  /**
   * Events held for this subscriber before the newest are dropped.
   * @default the bus's `bufferSize` (1024 unless configured)
   */
  bufferSize?: number;
  /**
   * Callback form: the bus calls this with each event, in order, outside the publisher's call
   * stack. When it returns a promise the next event waits for it, and events arriving meanwhile
   * queue in the buffer. A throw or rejection is logged and delivery goes on. A subscription with
   * `onEvent` cannot also be iterated.
   */
  onEvent?: (event: Event) => void | PromiseLike<void>;
}

/**
 * A live subscription. Iterate it with `for await` (leaving the loop early unsubscribes), or pass
 * `onEvent` to `subscribe`. Events still buffered when it ends are discarded.
 */
export interface Subscription extends AsyncIterable<Event> {
  readonly id: string;
  readonly pattern: string;
  /** Events dropped because this subscription's buffer was full; it only grows. */
  readonly dropped: number;
  /** Ends the subscription: iterators finish, the buffer is freed. Safe to call twice. */
  unsubscribe(): void;
  [Symbol.dispose](): void;
}

/** A snapshot of one subscription, as `getSubscriptions()` reports it. */
export interface SubscriptionInfo {
  id: string;
  pattern: string;
  filter: { eventTypes?: string[]; actorId?: string };
  delivery: "iterator" | "callback";
  bufferSize: number;
  /** Events waiting in the buffer. */
  pending: number;
  /** Events handed to the iterator or the callback. */
  delivered: number;
  dropped: number;
}
