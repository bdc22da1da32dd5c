import {
  defaultLogger,
  guardPublisher,
  isoNow,
  parseActorId,
  parseActorSnapshot,
  silentDomainEventPublisher,
  systemClock,
  type ActorSnapshot,
  type Clock,
  type DomainEventPublisher,
  type Logger,
} from "@aether/kernel";
import { parseNamespace } from "@aether/namespace";
import type { SnapshotStore } from "./eventStore.js";
import { frozenJsonCopy } from "./internal/frozenJsonCopy.js";

export interface InMemorySnapshotStoreOptions {
  /** @default "default" */
  namespace?: string;
  /** Receives `SnapshotCreated`. @default silentDomainEventPublisher */
  publisher?: DomainEventPublisher;
  clock?: Clock;
  logger?: Logger;
}

/** A SnapshotStore in process memory; one instance holds one namespace. Last write wins. */
export class InMemorySnapshotStore implements SnapshotStore {
  readonly namespace: string;
  readonly #snapshots = new Map<string, ActorSnapshot>();
  readonly #publisher: DomainEventPublisher;
  readonly #clock: Clock;

  constructor(options: InMemorySnapshotStoreOptions = {}) {
    this.namespace = parseNamespace(options.namespace ?? "default");
    this.#clock = options.clock ?? systemClock;
    const logger = (options.logger ?? defaultLogger()).child({
      component: "InMemorySnapshotStore",
      namespace: this.namespace,
    });
    this.#publisher = guardPublisher(options.publisher ?? silentDomainEventPublisher, logger);
  }

  async getLatestSnapshot(actorId: string): Promise<ActorSnapshot | undefined> {
    return this.#snapshots.get(parseActorId(actorId));
  }

  async saveSnapshot(snapshot: ActorSnapshot): Promise<void> {
    const valid = parseActorSnapshot(snapshot);
    const frozen = frozenJsonCopy(valid, "snapshot") as ActorSnapshot;
    this.#snapshots.set(frozen.actorId, frozen);
    this.#publisher.publishDomainEvent({
      type: "SnapshotCreated",
      at: isoNow(this.#clock),
      namespace: this.namespace,
      actorId: frozen.actorId,
      version: frozen.version,
    });
  }
}

export function createInMemorySnapshotStore(
  options: InMemorySnapshotStoreOptions = {},
): InMemorySnapshotStore {
  return new InMemorySnapshotStore(options);
}
