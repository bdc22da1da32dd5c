import type { Event, NewEvent } from "@aether/kernel";
import type {
  AllEventsPage,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "./allEvents.js";
import type { EventStore, ReadEventsOptions, ReplayResult } from "./eventStore.js";

/**
 * An `EventStore` that hands every call to another one. Extend it and override only the calls to
 * watch or change (count appends, note what a replay reads); the others keep following the
 * contract as it grows.
 *
 * ```ts
 * class CountingStore extends ForwardingEventStore {
 *   appended = 0;
 *   override async saveEvents(events: NewEvent[]): Promise<void> {
 *     await super.saveEvents(events);
 *     this.appended += events.length;
 *   }
 * }
 * ```
 */
export class ForwardingEventStore implements EventStore {
  protected readonly inner: EventStore;

  constructor(inner: EventStore) {
    this.inner = inner;
  }

  saveEvent(event: NewEvent): Promise<void> {
    return this.inner.saveEvent(event);
  }

  saveEvents(events: NewEvent[]): Promise<void> {
    return this.inner.saveEvents(events);
  }

  getEvents(actorId: string, fromVersion?: number): Promise<Event[]> {
    return this.inner.getEvents(actorId, fromVersion);
  }

  getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult> {
    return this.inner.getEventsWithErrors(actorId, fromVersion);
  }

  readEvents(actorId: string, options?: ReadEventsOptions): AsyncIterable<Event> {
    return this.inner.readEvents(actorId, options);
  }

  getLatestVersion(actorId: string): Promise<number> {
    return this.inner.getLatestVersion(actorId);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<PositionedEvent> {
    return this.inner.readAll(options);
  }

  getAllEventsWithErrors(options?: ReadAllPageOptions): Promise<AllEventsPage> {
    return this.inner.getAllEventsWithErrors(options);
  }

  subscribeAll(options?: SubscribeAllOptions): CatchUpSubscription {
    return this.inner.subscribeAll(options);
  }
}
