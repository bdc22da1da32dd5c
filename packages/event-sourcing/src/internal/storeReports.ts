import {
  isoNow,
  type ActorSnapshot,
  type Clock,
  type DomainEventPublisher,
  type Event,
} from "@aether/kernel";
import { VersionConflictError } from "@aether/occ";

/** The domain events every store reports, worded once for all backends. */
export class StoreReports {
  readonly #namespace: string;
  readonly #publisher: DomainEventPublisher | undefined;
  readonly #clock: Clock;

  /** `publisher` undefined: nobody listens, so nothing is built or sent. */
  constructor(namespace: string, publisher: DomainEventPublisher | undefined, clock: Clock) {
    this.#namespace = namespace;
    this.#publisher = publisher;
    this.#clock = clock;
  }

  stored(events: readonly Event[]): void {
    if (this.#publisher === undefined) return;
    const at = isoNow(this.#clock);
    for (const event of events) {
      this.#publisher.publishDomainEvent({
        type: "EventStored",
        at,
        namespace: this.#namespace,
        actorId: event.actorId,
        eventId: event.id,
        eventType: event.eventType,
        version: event.version,
      });
    }
  }

  /** Reports the refused append and returns the error for the store to throw. */
  conflict(
    actorId: string,
    attemptedVersion: number,
    currentVersion: number,
  ): VersionConflictError {
    this.#publisher?.publishDomainEvent({
      type: "VersionConflict",
      at: isoNow(this.#clock),
      namespace: this.#namespace,
      actorId,
      attemptedVersion,
      currentVersion,
    });
    return new VersionConflictError({ actorId, attemptedVersion, currentVersion });
  }

  snapshotCreated(snapshot: ActorSnapshot): void {
    this.#publisher?.publishDomainEvent({
      type: "SnapshotCreated",
      at: isoNow(this.#clock),
      namespace: this.#namespace,
      actorId: snapshot.actorId,
      version: snapshot.version,
    });
  }
}
