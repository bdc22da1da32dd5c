import {
  AetherError,
  AetherErrorCode,
  defaultLogger,
  integerOption,
  systemClock,
  type Clock,
  type DomainEvent,
  type DomainEventPublisher,
  type Event,
  type Logger,
} from "@aether/kernel";
import { Dispatcher, validBufferSize } from "./internal/dispatcher.js";
import { compileWildcardPolicy } from "./internal/wildcardPolicy.js";
import type { WildcardPolicy } from "./wildcardPolicy.js";
import type { SubscribeOptions, Subscription, SubscriptionInfo } from "./subscription.js";

/** Events a subscription holds before the newest are dropped, unless configured otherwise. */
export const DEFAULT_BUFFER_SIZE = 1024;

export interface EventBusOptions {
  /**
   * Names this node in logs and in domain events (`EventPublished.sourceNodeId`, and the `actorId`
   * of every event in the domain-events namespace).
   * @default "local"
   */
  nodeId?: string;
  /**
   * Default buffer of each subscription; `subscribe(…, { bufferSize })` overrides it.
   * @default 1024
   */
  bufferSize?: number;
  /**
   * Which wildcard patterns `subscribe` accepts. A wildcard pattern crosses tenant boundaries, so a
   * multi-tenant application may set `false` (exact namespaces only) or a list of patterns that
   * every wildcard subscription must fall within, e.g. `["metrics.>"]`. A refused pattern throws
   * `INVALID_ARGUMENT`.
   * @default true
   */
  wildcards?: WildcardPolicy;
  /** @default defaultLogger() from @aether/kernel (silent unless LOG_LEVEL is set) */
  logger?: Logger;
  /**
   * Each subscription logs its drops (and failing callbacks) at most once per interval.
   * @default 10_000
   */
  logIntervalMs?: number;
  /** Used for domain-event timestamps and log rate limits. @default systemClock */
  clock?: Clock;
}

let dispatcherOf: (bus: EventBus) => Dispatcher;

/**
 * The bus's routing core, for `NatsEventBus` only: the public surface stays the interface
 * of ARCHITECTURE.md §5.
 */
export function busDispatcher(bus: EventBus): Dispatcher {
  return dispatcherOf(bus);
}

/**
 * In-process pub/sub of events by namespace. `publish` never blocks and never throws because a
 * subscriber is slow: each subscription has its own bounded buffer and loses only its own events
 * when it falls behind. Also a `DomainEventPublisher`: domain events reach subscribers of
 * `DOMAIN_EVENTS_NAMESPACE`.
 */
export class EventBus implements DomainEventPublisher {
  readonly nodeId: string;
  readonly #dispatcher: Dispatcher;

  static {
    dispatcherOf = (bus) => bus.#dispatcher;
  }

  constructor(options: EventBusOptions = {}) {
    const { nodeId = "local" } = options;
    if (typeof nodeId !== "string" || nodeId === "") {
      throw new AetherError(AetherErrorCode.InvalidArgument, "nodeId must be a non-empty string", {
        details: { nodeId },
      });
    }
    this.nodeId = nodeId;
    this.#dispatcher = new Dispatcher({
      nodeId: this.nodeId,
      bufferSize: validBufferSize(options.bufferSize, DEFAULT_BUFFER_SIZE),
      logger: (options.logger ?? defaultLogger()).child({
        component: "event-bus",
        nodeId: this.nodeId,
      }),
      clock: options.clock ?? systemClock,
      logIntervalMs: integerOption("logIntervalMs", options.logIntervalMs, {
        fallback: 10_000,
        min: 0,
      }),
      wildcardGuard: compileWildcardPolicy(options.wildcards ?? true),
    });
  }

  /**
   * Delivers the event to every subscription whose pattern matches `namespace` and whose filter
   * accepts it. Throws only for a malformed or reserved namespace (`INVALID_NAMESPACE`) or a closed
   * bus (`CLOSED`). The event object is shared between subscribers, not copied: treat it as
   * read-only.
   */
  publish(namespace: string, event: Event): void {
    const dispatcher = this.#dispatcher;
    dispatcher.deliver(dispatcher.routeFor(namespace).subscriptions, event);
    dispatcher.reportPublished(namespace, event, this.nodeId);
  }

  /**
   * Subscribes to namespaces matching `pattern` (NATS semantics: exact, `*` one token, `>` one or
   * more trailing tokens). Throws `INVALID_NAMESPACE` for a malformed pattern and
   * `INVALID_ARGUMENT` for a refused wildcard or a bad option.
   */
  subscribe(pattern: string, options?: SubscribeOptions): Subscription {
    return this.#dispatcher.subscribe(pattern, options);
  }

  getSubscriptions(): SubscriptionInfo[] {
    return this.#dispatcher.subscriptionInfos();
  }

  publishDomainEvent(event: DomainEvent): void {
    this.#dispatcher.publishDomainEvent(event);
  }

  /**
   * Ends every subscription (iterators finish, buffers are freed) and refuses further work.
   * Callbacks already running are not awaited. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#dispatcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
