import { ForwardingEventStore } from "@aether/event-sourcing";
import type { EventStore } from "@aether/event-sourcing";
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
export class ObservedEventStore extends ForwardingEventStore {
  readonly #observer: EventStoreObserver;

  constructor(store: EventStore, observer: EventStoreObserver) {
    super(store);
    this.#observer = observer;
  }

  override async saveEvent(event: NewEvent): Promise<void> {
    await this.#observed(() => super.saveEvent(event));
    this.#observer.appended?.([event as Event]);
  }

  override async saveEvents(events: NewEvent[]): Promise<void> {
    await this.#observed(() => super.saveEvents(events));
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
}
