import {
  isoNow,
  parseActorId,
  parseActorSnapshot,
  type ActorSnapshot,
  type Clock,
  type DomainEventPublisher,
  type Logger,
} from "@aether/kernel";
import type { SnapshotStore } from "./eventStore.js";
import { frozenJsonCopy } from "./internal/frozenJsonCopy.js";
import { storeContext } from "./internal/storeContext.js";

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
    const context = storeContext("InMemorySnapshotStore", options);
    this.namespace = context.namespace;
    this.#clock = context.clock;
    this.#publisher = context.publisher;
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
