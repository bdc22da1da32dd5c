import {
  AetherError,
  AetherErrorCode,
  createId,
  integerOption,
  isoNow,
  type Clock,
  type DomainEvent,
  type Event,
  type Logger,
} from "@aether/kernel";
import { compileNamespacePattern, isValidNamespace, parseNamespace } from "@aether/namespace";
import type { NamespaceMatcher } from "@aether/namespace";
import { DOMAIN_EVENTS_NAMESPACE, isReservedNamespace } from "../domainEventsNamespace.js";
import type { SubscribeOptions, SubscriptionInfo } from "../subscription.js";
import { BusSubscription } from "./busSubscription.js";
import { RateLimiter } from "./rateLimiter.js";
import type { WildcardGuard } from "./wildcardPolicy.js";

type Subscriptions = readonly BusSubscription[];

const NONE: Subscriptions = Object.freeze([]);

// Enough for every tenant of a busy node; past it the cache starts over rather than grow unbounded.
const MAX_CACHED_ROUTES = 10_000;

/** Every subscription with the same pattern; a NATS bus listens once per group. */
export interface PatternGroup {
  readonly pattern: string;
  readonly matcher: NamespaceMatcher;
  /** Replaced, never mutated, so a delivery loop is never disturbed by (un)subscribes. */
  subscriptions: Subscriptions;
}

/** Where a publish to one namespace goes. */
export interface Route {
  readonly subscriptions: Subscriptions;
  /** The groups whose pattern matches, for a transport that listens once per pattern. */
  readonly groups: readonly PatternGroup[];
}

const EMPTY_ROUTE: Route = Object.freeze({ subscriptions: NONE, groups: Object.freeze([]) });

/** Told when a pattern gains its first subscription or loses its last. */
export interface PatternGroupListener {
  added(group: PatternGroup): void;
  removed(group: PatternGroup): void;
}

export interface DispatcherConfig {
  nodeId: string;
  bufferSize: number;
  logger: Logger;
  clock: Clock;
  logIntervalMs: number;
  wildcardGuard: WildcardGuard;
}

/** A subscription's buffer size: the bus's default when absent. */
export function validBufferSize(value: number | undefined, fallback: number): number {
  return integerOption("bufferSize", value, { fallback, min: 1 });
}

function checkOptions(options: SubscribeOptions): void {
  const { eventTypes, actorId, onEvent } = options;
  if (
    eventTypes !== undefined &&
    (!Array.isArray(eventTypes) ||
      eventTypes.length === 0 ||
      eventTypes.some((type) => typeof type !== "string"))
  ) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      "eventTypes must be a non-empty array of strings; omit it to receive every event type",
      { details: { eventTypes } },
    );
  }
  if (actorId !== undefined && (typeof actorId !== "string" || actorId === "")) {
    throw new AetherError(AetherErrorCode.InvalidArgument, "actorId must be a non-empty string", {
      details: { actorId },
    });
  }
  if (onEvent !== undefined && typeof onEvent !== "function") {
    throw new AetherError(AetherErrorCode.InvalidArgument, "onEvent must be a function");
  }
}

/**
 * The routing core shared by `EventBus` and `NatsEventBus`: subscriptions grouped by pattern, a
 * cache from namespace to the subscriptions it reaches (so a publish costs one map lookup, not a
 * pattern match per subscription), and the bus's own domain events.
 */
export class Dispatcher {
  readonly nodeId: string;
  readonly logger: Logger;
  readonly #config: DispatcherConfig;
  readonly #groups = new Map<string, PatternGroup>();
  readonly #subscriptions = new Map<string, BusSubscription>();
  #routes = new Map<string, Route>();
  #domainRoute: Subscriptions = NONE;
  #eventPublishedWanted = false;
  #domainSequence = 0;
  #closed = false;
  listener: PatternGroupListener | undefined;

  constructor(config: DispatcherConfig) {
    this.#config = config;
    this.nodeId = config.nodeId;
    this.logger = config.logger;
  }

  /** True when someone subscribed to `EventPublished`, so reports are worth building. */
  get reportsPublished(): boolean {
    return this.#eventPublishedWanted;
  }

  subscribe(pattern: string, options: SubscribeOptions = {}): BusSubscription {
    this.#checkOpen();
    const matcher = compileNamespacePattern(pattern);
    if (matcher.isWildcard) this.#config.wildcardGuard(matcher.pattern);
    checkOptions(options);
    const bufferSize = validBufferSize(options.bufferSize, this.#config.bufferSize);
    const { clock, logIntervalMs } = this.#config;
    const subscription = new BusSubscription({
      id: createId(),
      pattern: matcher.pattern,
      options,
      bufferSize,
      logger: this.logger,
      dropLimiter: new RateLimiter(clock, logIntervalMs),
      handlerErrorLimiter: new RateLimiter(clock, logIntervalMs),
      onEnd: (ended) => this.#remove(ended),
    });
    this.#subscriptions.set(subscription.id, subscription);
    let group = this.#groups.get(matcher.pattern);
    const isNewGroup = group === undefined;
    group ??= { pattern: matcher.pattern, matcher, subscriptions: NONE };
    group.subscriptions = [...group.subscriptions, subscription];
    this.#groups.set(group.pattern, group);
    this.#topologyChanged();
    // Patterns under the reserved namespace only ever see this node's domain events.
    if (isNewGroup && !isReservedNamespace(group.pattern)) this.listener?.added(group);
    this.publishDomainEvent({
      type: "SubscriptionCreated",
      at: isoNow(this.#config.clock),
      subscriptionId: subscription.id,
      pattern: subscription.pattern,
      filter: subscription.filter,
    });
    return subscription;
  }

  /** The subscriptions a publish to `namespace` reaches; throws on a bad or reserved namespace. */
  routeFor(namespace: string): Route {
    this.#checkOpen();
    const route = this.#routes.get(namespace);
    if (route !== undefined) return route;
    parseNamespace(namespace);
    if (isReservedNamespace(namespace)) {
      throw new AetherError(
        AetherErrorCode.InvalidNamespace,
        `Namespace ${JSON.stringify(namespace)} is reserved for the bus's domain events`,
        { details: { namespace } },
      );
    }
    return this.#resolve(namespace);
  }

  /** True for a namespace another node may legitimately have published to; cached. */
  accepts(namespace: string): boolean {
    if (this.#routes.has(namespace)) return true;
    if (!isValidNamespace(namespace) || isReservedNamespace(namespace)) return false;
    this.#resolve(namespace);
    return true;
  }

  /** Offers the event to each subscription; the filters and buffers take it from there. */
  deliver(subscriptions: Subscriptions, event: Event): void {
    for (let i = 0; i < subscriptions.length; i++) subscriptions[i]!.offer(event);
  }

  /** Reports a delivered event as `EventPublished`, if anyone subscribed to that. */
  reportPublished(namespace: string, event: Event, sourceNodeId: string | undefined): void {
    if (!this.#eventPublishedWanted) return;
    this.publishDomainEvent({
      type: "EventPublished",
      at: isoNow(this.#config.clock),
      namespace,
      eventId: event.id,
      eventType: event.eventType,
      ...(sourceNodeId === undefined ? {} : { sourceNodeId }),
    });
  }

  /**
   * Delivers a domain event to the subscribers of the domain-events namespace, wrapped as an
   * `Event` whose actor is this node and whose version counts this node's delivered domain events.
   * Costs nothing when nobody subscribes.
   */
  publishDomainEvent(domainEvent: DomainEvent): void {
    const route = this.#domainRoute;
    if (route.length === 0) return;
    const event: Event<DomainEvent> = {
      id: createId(),
      eventType: domainEvent.type,
      actorId: this.nodeId,
      version: ++this.#domainSequence,
      data: domainEvent,
      timestamp: domainEvent.at,
    };
    for (let i = 0; i < route.length; i++) route[i]!.offer(event);
  }

  subscriptionInfos(): SubscriptionInfo[] {
    return Array.from(this.#subscriptions.values(), (subscription) => subscription.info());
  }

  /**
   * Ends every subscription. Callbacks already running are not awaited: one that never settles
   * must not hold the shutdown of everything else.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const subscription of this.#subscriptions.values()) subscription.end();
    this.#subscriptions.clear();
    this.#groups.clear();
    this.#routes = new Map();
    this.#domainRoute = NONE;
    this.#eventPublishedWanted = false;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new AetherError(AetherErrorCode.Closed, "The event bus is closed");
    }
  }

  #resolve(namespace: string): Route {
    const subscriptions: BusSubscription[] = [];
    const groups: PatternGroup[] = [];
    for (const group of this.#groups.values()) {
      if (!group.matcher.matches(namespace)) continue;
      groups.push(group);
      subscriptions.push(...group.subscriptions);
    }
    const route = groups.length === 0 ? EMPTY_ROUTE : { subscriptions, groups };
    if (this.#routes.size >= MAX_CACHED_ROUTES) this.#routes = new Map();
    this.#routes.set(namespace, route);
    return route;
  }

  #remove(subscription: BusSubscription): void {
    if (!this.#subscriptions.delete(subscription.id)) return;
    const group = this.#groups.get(subscription.pattern);
    if (group === undefined) return;
    group.subscriptions = group.subscriptions.filter((candidate) => candidate !== subscription);
    const isEmpty = group.subscriptions.length === 0;
    if (isEmpty) this.#groups.delete(group.pattern);
    this.#topologyChanged();
    if (isEmpty && !isReservedNamespace(group.pattern)) this.listener?.removed(group);
  }

  /** Routes are rebuilt lazily after any (un)subscribe: they are rare, publishes are not. */
  #topologyChanged(): void {
    this.#routes = new Map();
    this.#domainRoute = this.#groups.get(DOMAIN_EVENTS_NAMESPACE)?.subscriptions ?? NONE;
    this.#eventPublishedWanted = this.#domainRoute.some((subscription) =>
      subscription.accepts("EventPublished", this.nodeId),
    );
  }
}
