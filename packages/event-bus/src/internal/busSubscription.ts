import { AetherError, AetherErrorCode, type Event, type Logger } from "@aether/kernel";
import type { SubscribeOptions, Subscription, SubscriptionInfo } from "../subscription.js";
import type { RateLimiter } from "./rateLimiter.js";
import { RingBuffer } from "./ringBuffer.js";

type Handler = (event: Event) => void | PromiseLike<void>;
type Waiter = (result: IteratorResult<Event>) => void;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

export interface BusSubscriptionInit {
  id: string;
  pattern: string;
  options: SubscribeOptions;
  bufferSize: number;
  logger: Logger;
  /** One per subscription: drops are logged at most once per interval. */
  dropLimiter: RateLimiter;
  handlerErrorLimiter: RateLimiter;
  /** Called once when the subscription ends, so the bus stops routing to it. */
  onEnd: (subscription: BusSubscription) => void;
}

/** The `then` of a value that may be a thenable; reading it can itself throw (a getter). */
function thenOf(value: unknown): PromiseLike<void>["then"] | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null)
    return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === "function" ? (then as PromiseLike<void>["then"]) : undefined;
}

/**
 * One subscriber's bounded queue. The bus `offer`s matching events; a full buffer drops the newest
 * event for this subscriber alone. Delivery never runs on the publisher's stack: an iterator takes
 * events when it asks, a callback is drained in a microtask.
 */
export class BusSubscription implements Subscription, AsyncIterator<Event> {
  readonly id: string;
  readonly pattern: string;
  readonly #eventTypes: ReadonlySet<string> | undefined;
  readonly #actorId: string | undefined;
  readonly #filter: SubscriptionInfo["filter"];
  readonly #buffer: RingBuffer<Event>;
  readonly #handler: Handler | undefined;
  readonly #logger: Logger;
  readonly #dropLimiter: RateLimiter;
  readonly #handlerErrorLimiter: RateLimiter;
  readonly #onEnd: (subscription: BusSubscription) => void;
  #dropped = 0;
  #delivered = 0;
  #ended = false;
  #waiter: Waiter | undefined;
  #moreWaiters: Waiter[] | undefined;
  #draining = false;

  constructor(init: BusSubscriptionInit) {
    const { eventTypes, actorId, onEvent } = init.options;
    this.id = init.id;
    this.pattern = init.pattern;
    this.#eventTypes = eventTypes === undefined ? undefined : new Set(eventTypes);
    this.#actorId = actorId;
    // Frozen, so getSubscriptions() and SubscriptionCreated can share it without copies.
    this.#filter = Object.freeze({
      ...(eventTypes === undefined
        ? {}
        : { eventTypes: Object.freeze([...eventTypes]) as string[] }),
      ...(actorId === undefined ? {} : { actorId }),
    });
    this.#buffer = new RingBuffer(init.bufferSize);
    this.#handler = onEvent;
    this.#logger = init.logger;
    this.#dropLimiter = init.dropLimiter;
    this.#handlerErrorLimiter = init.handlerErrorLimiter;
    this.#onEnd = init.onEnd;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get filter(): SubscriptionInfo["filter"] {
    return this.#filter;
  }

  /** True when the filter lets an event of this type and actor through. */
  accepts(eventType: string, actorId: string): boolean {
    return (
      (this.#eventTypes === undefined || this.#eventTypes.has(eventType)) &&
      (this.#actorId === undefined || this.#actorId === actorId)
    );
  }

  /** Hands over an event whose namespace already matched this subscription's pattern. */
  offer(event: Event): void {
    if (this.#ended) return;
    if (this.#eventTypes !== undefined && !this.#eventTypes.has(event.eventType)) return;
    if (this.#actorId !== undefined && this.#actorId !== event.actorId) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = this.#moreWaiters?.shift();
      this.#delivered++;
      waiter({ value: event, done: false });
      return;
    }
    if (!this.#buffer.push(event)) {
      this.#drop();
      return;
    }
    if (this.#handler !== undefined && !this.#draining) {
      this.#draining = true;
      queueMicrotask(this.#drain);
    }
  }

  next(): Promise<IteratorResult<Event>> {
    const event = this.#buffer.shift();
    if (event !== undefined) {
      this.#delivered++;
      return Promise.resolve({ value: event, done: false });
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      if (this.#waiter === undefined) this.#waiter = resolve;
      else (this.#moreWaiters ??= []).push(resolve);
    });
  }

  /** Called when a `for await` loop is left early: the subscriber is gone, so stop buffering. */
  return(): Promise<IteratorResult<Event>> {
    this.unsubscribe();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterator<Event> {
    if (this.#handler !== undefined) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        `Subscription ${this.id} delivers to its onEvent callback and cannot also be iterated`,
        { details: { subscriptionId: this.id } },
      );
    }
    return this;
  }

  unsubscribe(): void {
    if (this.#ended) return;
    this.end();
    this.#onEnd(this);
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }

  /** Ends delivery without telling the bus (the bus calls this itself on close). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#buffer.clear();
    let waiter = this.#waiter;
    this.#waiter = undefined;
    const more = this.#moreWaiters;
    this.#moreWaiters = undefined;
    while (waiter !== undefined) {
      waiter(DONE);
      waiter = more?.shift();
    }
  }

  info(): SubscriptionInfo {
    return {
      id: this.id,
      pattern: this.pattern,
      filter: this.#filter,
      delivery: this.#handler === undefined ? "iterator" : "callback",
      bufferSize: this.#buffer.capacity,
      pending: this.#buffer.size,
      delivered: this.#delivered,
      dropped: this.#dropped,
    };
  }

  #drop(): void {
    this.#dropped++;
    const suppressed = this.#dropLimiter.hit();
    if (suppressed === undefined) return;
    this.#logger.warn(
      {
        subscriptionId: this.id,
        pattern: this.pattern,
        bufferSize: this.#buffer.capacity,
        dropped: this.#dropped,
        droppedSinceLastWarning: suppressed + 1,
      },
      "subscription buffer full: dropping the newest events for this subscriber",
    );
  }

  readonly #drain = (): void => {
    const handler = this.#handler!;
    while (!this.#ended) {
      const event = this.#buffer.shift();
      if (event === undefined) break;
      this.#delivered++;
      let result: void | PromiseLike<void>;
      let then: PromiseLike<void>["then"] | undefined;
      try {
        result = handler(event);
        then = thenOf(result);
      } catch (error) {
        this.#handlerFailed(error, event);
        continue;
      }
      if (then !== undefined && this.#awaitThenable(then, result, event)) return;
    }
    this.#draining = false;
  };

  /**
   * Resumes delivery once the callback's thenable settles, whatever it does: a thenable is foreign
   * code that may throw from `then` or settle more than once, and either must count as one failed
   * (or finished) callback, never escape or run two deliveries at once.
   * @returns false when the thenable failed at once, so the caller goes on delivering itself.
   */
  #awaitThenable(then: PromiseLike<void>["then"], thenable: unknown, event: Event): boolean {
    let settled = false;
    const resume = (error?: unknown, failed = false): void => {
      if (settled) return;
      settled = true;
      if (failed) this.#handlerFailed(error, event);
      this.#drain();
    };
    try {
      then.call(
        thenable,
        () => resume(),
        (error: unknown) => resume(error, true),
      );
    } catch (error) {
      if (settled) return true;
      settled = true;
      this.#handlerFailed(error, event);
      return false;
    }
    return true;
  }

  #handlerFailed(error: unknown, event: Event): void {
    const suppressed = this.#handlerErrorLimiter.hit();
    if (suppressed === undefined) return;
    this.#logger.error(
      {
        err: error,
        subscriptionId: this.id,
        pattern: this.pattern,
        eventId: event.id,
        eventType: event.eventType,
        failuresSinceLastError: suppressed + 1,
      },
      "subscriber callback failed; delivery goes on",
    );
  }
}
