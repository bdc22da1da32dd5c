import type { DomainEvent } from "./domainEvents.js";
import type { Logger } from "./logger.js";

/**
 * Where packages report what they did. Implementations must return at once and must not throw;
 * the local EventBus is the usual one.
 */
export interface DomainEventPublisher {
  publishDomainEvent(event: DomainEvent): void;
}

/** Drops every domain event; the default when an application wires none. */
export const silentDomainEventPublisher: DomainEventPublisher = {
  publishDomainEvent() {},
};

/** Keeps every domain event in memory, in order: for tests and for demos that print them. */
export class DomainEventRecorder implements DomainEventPublisher {
  readonly events: DomainEvent[] = [];

  publishDomainEvent(event: DomainEvent): void {
    this.events.push(event);
  }

  ofType<T extends DomainEvent["type"]>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter(
      (event): event is Extract<DomainEvent, { type: T }> => event.type === type,
    );
  }

  clear(): void {
    this.events.length = 0;
  }
}

/**
 * Wraps a publisher so that a faulty one is logged instead of failing the operation that already
 * succeeded (an append must not look failed because a listener threw).
 */
export function guardPublisher(
  publisher: DomainEventPublisher,
  logger: Logger,
): DomainEventPublisher {
  return {
    publishDomainEvent(event) {
      try {
        publisher.publishDomainEvent(event);
      } catch (error) {
        logger.error({ err: error, domainEvent: event.type }, "domain event publisher threw");
      }
    },
  };
}
