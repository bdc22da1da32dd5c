import {
  parseActorId,
  parseActorSnapshot,
  type ActorSnapshot,
  type Logger,
  type Clock,
  type DomainEventPublisher,
} from "@aether/kernel";
import type { SnapshotStore } from "./eventStore.js";
import { frozenJsonCopy } from "./internal/frozenJsonCopy.js";
import { storeContext } from "./internal/storeContext.js";
import type { StoreReports } from "./internal/storeReports.js";

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
  readonly #reports: StoreReports;

  constructor(options: InMemorySnapshotStoreOptions = {}) {
    const context = storeContext("InMemorySnapshotStore", options);
    this.namespace = context.namespace;
    this.#reports = context.reports;
  }

  async getLatestSnapshot(actorId: string): Promise<ActorSnapshot | undefined> {
    return this.#snapshots.get(parseActorId(actorId));
  }

  async saveSnapshot(snapshot: ActorSnapshot): Promise<void> {
    const valid = parseActorSnapshot(snapshot);
    const frozen = frozenJsonCopy(valid) as ActorSnapshot;
    this.#snapshots.set(frozen.actorId, frozen);
    this.#reports.snapshotCreated(frozen);
  }
}

export function createInMemorySnapshotStore(
  options: InMemorySnapshotStoreOptions = {},
): InMemorySnapshotStore {
  return new InMemorySnapshotStore(options);
}
