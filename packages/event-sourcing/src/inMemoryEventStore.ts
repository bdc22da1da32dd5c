import {
  parseActorId,
  type Clock,
  type Event,
  type Logger,
  type NewEvent,
  type DomainEventPublisher,
} from "@aether/kernel";
import type {
  AllEventsPage,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "./allEvents.js";
import type { EventStore, ReadEventsOptions, ReplayResult } from "./eventStore.js";
import { InMemoryLog } from "./internal/inMemoryLog.js";
import { readAllOf, readAllPageOf } from "./internal/logSource.js";
import { SourceSubscription } from "./internal/sourceSubscription.js";
import { frozenJsonCopy } from "./internal/frozenJsonCopy.js";
import { checkFromVersion, prepareAppend } from "./internal/prepareAppend.js";
import { storeContext } from "./internal/storeContext.js";
import type { StoreReports } from "./internal/storeReports.js";

export interface InMemoryEventStoreOptions {
  /** The tenant or bounded context this store holds. @default "default" */
  namespace?: string;
  /** Receives `EventStored` and `VersionConflict`. @default silentDomainEventPublisher */
  publisher?: DomainEventPublisher;
  /** Fills in missing timestamps. @default systemClock */
  clock?: Clock;
  logger?: Logger;
}

const noEvents: readonly Event[] = Object.freeze([]);

/**
 * An EventStore in process memory: for tests, demos and single-process apps. One instance holds
 * one namespace. Stored events are deep-frozen copies, so neither the caller's object nor a
 * returned event can change what is stored.
 */
export class InMemoryEventStore implements EventStore {
  readonly namespace: string;
  readonly #streams = new Map<string, Event[]>();
  readonly #reports: StoreReports;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #log = new InMemoryLog();

  constructor(options: InMemoryEventStoreOptions = {}) {
    const context = storeContext("InMemoryEventStore", options);
    this.namespace = context.namespace;
    this.#clock = context.clock;
    this.#reports = context.reports;
    this.#logger = context.logger;
  }

  async saveEvent(event: NewEvent): Promise<void> {
    this.#append([event]);
  }

  async saveEvents(events: NewEvent[]): Promise<void> {
    // An empty decision is a valid outcome of a command: nothing to store, nothing to check.
    if (Array.isArray(events) && events.length === 0) return;
    this.#append(events);
  }

  // Synchronous from validation to commit: no other append can interleave, which makes the
  // version check and the write one atomic step.
  #append(input: readonly NewEvent[]): void {
    const { actorId, firstVersion, events } = prepareAppend(input, this.#clock);
    const stream = this.#streams.get(actorId);
    const currentVersion = stream?.length ?? 0;
    if (firstVersion !== currentVersion + 1) {
      throw this.#reports.conflict(actorId, firstVersion, currentVersion);
    }
    const frozen = events.map(freezeEvent);
    if (stream === undefined) this.#streams.set(actorId, frozen);
    else stream.push(...frozen);
    this.#log.append(frozen);
    this.#reports.stored(frozen);
  }

  async getEvents(actorId: string, fromVersion?: number): Promise<Event[]> {
    return this.#read(actorId, fromVersion);
  }

  async getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult> {
    // Only validated events ever get in, so there is nothing undecodable to report.
    return { events: this.#read(actorId, fromVersion), errors: [] };
  }

  async *readEvents(actorId: string, options: ReadEventsOptions = {}): AsyncIterable<Event> {
    yield* this.#read(actorId, options.fromVersion);
  }

  async getLatestVersion(actorId: string): Promise<number> {
    return this.#streams.get(parseActorId(actorId))?.length ?? 0;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<PositionedEvent> {
    return readAllOf(this.#log.source, options, this.#logger);
  }

  async getAllEventsWithErrors(options: ReadAllPageOptions = {}): Promise<AllEventsPage> {
    return readAllPageOf(this.#log.source, options);
  }

  subscribeAll(options: SubscribeAllOptions = {}): CatchUpSubscription {
    return new SourceSubscription(this.#log.source, options);
  }

  #read(actorId: string, fromVersion: number | undefined): Event[] {
    const from = checkFromVersion(fromVersion);
    const stream = this.#streams.get(parseActorId(actorId)) ?? noEvents;
    return stream.slice(from - 1);
  }
}

// The envelope and metadata are fresh objects from validation; only `data` can still be shared
// with the caller, so it alone is copied.
function freezeEvent(event: Event): Event {
  event.data = frozenJsonCopy(event.data);
  if (event.metadata !== undefined) Object.freeze(event.metadata);
  return Object.freeze(event);
}

/** Factory beside the class, for composition-style code. */
export function createInMemoryEventStore(
  options: InMemoryEventStoreOptions = {},
): InMemoryEventStore {
  return new InMemoryEventStore(options);
}
