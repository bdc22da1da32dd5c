import type {
  AllEventsPage,
  CatchUpSubscription,
  EventStore,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  ReadEventsOptions,
  ReplayResult,
  SubscribeAllOptions,
} from "@aether/event-sourcing";
import { isVersionConflict } from "@aether/occ";
import type { Event, NewEvent } from "@aether/kernel";

/** What a node's store reports: for metrics, and to put appended events on the bus. */
export interface EventStoreObserver {
  appended?(events: readonly Event[]): void;
  conflict?(): void;
}

/**
 * A node's view of the shared event store: appends pass through unchanged and are then reported,
 * so the node can publish them to the bus (which feeds every node's read model) and count them.
 */
export class ObservedEventStore implements EventStore {
  readonly #store: EventStore;
  readonly #observer: EventStoreObserver;

  constructor(store: EventStore, observer: EventStoreObserver) {
    this.#store = store;
    this.#observer = observer;
  }

  async saveEvent(event: NewEvent): Promise<void> {
    await this.#observed(() => this.#store.saveEvent(event));
    this.#observer.appended?.([event as Event]);
  }

  async saveEvents(events: NewEvent[]): Promise<void> {
    await this.#observed(() => this.#store.saveEvents(events));
    this.#observer.appended?.(events as Event[]);
  }

  async #observed(append: () => Promise<void>): Promise<void> {
    try {
      await append();
    } catch (error) {
      if (isVersionConflict(error)) this.#observer.conflict?.();
      throw error;
    }
  }

  getEvents(actorId: string, fromVersion?: number): Promise<Event[]> {
    return this.#store.getEvents(actorId, fromVersion);
  }

  getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult> {
    return this.#store.getEventsWithErrors(actorId, fromVersion);
  }

  readEvents(actorId: string, options?: ReadEventsOptions): AsyncIterable<Event> {
    return this.#store.readEvents(actorId, options);
  }

  getLatestVersion(actorId: string): Promise<number> {
    return this.#store.getLatestVersion(actorId);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<PositionedEvent> {
    return this.#store.readAll(options);
  }

  getAllEventsWithErrors(options?: ReadAllPageOptions): Promise<AllEventsPage> {
    return this.#store.getAllEventsWithErrors(options);
  }

  subscribeAll(options?: SubscribeAllOptions): CatchUpSubscription {
    return this.#store.subscribeAll(options);
  }
}
