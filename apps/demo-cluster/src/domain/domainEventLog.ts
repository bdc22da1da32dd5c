import type { DomainEvent } from "@aether/kernel";

// Reported per append: thousands a second under load, and already visible as account events.
const NOT_SHOWN = new Set(["EventStored", "EventPublished", "SubscriptionCreated"]);

/** The recent domain events a node saw (cluster facts, conflicts, snapshots), with live listeners. */
export class DomainEventLog {
  readonly #limit: number;
  readonly #events: DomainEvent[] = [];
  readonly #listeners = new Set<(event: DomainEvent) => void>();

  constructor(limit = 500) {
    this.#limit = limit;
  }

  add(event: DomainEvent): void {
    if (NOT_SHOWN.has(event.type)) return;
    this.#events.push(event);
    if (this.#events.length > this.#limit) this.#events.shift();
    for (const listener of this.#listeners) listener(event);
  }

  recent(limit = 100, type?: string): DomainEvent[] {
    const matching =
      type === undefined ? this.#events : this.#events.filter((e) => e.type === type);
    return matching.slice(-limit);
  }

  listen(listener: (event: DomainEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
