import { createId } from "@aether/kernel";
import type { DomainEvent, Logger } from "@aether/kernel";
import type { EventStore } from "@aether/event-sourcing";
import { isVersionConflict } from "@aether/occ";

/** The actor whose events are the cluster's own history. */
export const CLUSTER_ACTOR_ID = "cluster";

/**
 * Appends the leader's facts to the `cluster` actor with optimistic concurrency: each append
 * expects the version this node last wrote or read, so a deposed leader's append conflicts with
 * its successor's and is dropped. Appends run one at a time, in order.
 */
export class ClusterHistory {
  readonly #store: EventStore;
  readonly #logger: Logger;
  #version: number | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(store: EventStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  append(facts: readonly DomainEvent[], stillLeader: () => boolean): Promise<void> {
    this.#queue = this.#queue.then(() => this.#appendNow(facts, stillLeader));
    return this.#queue;
  }

  async #appendNow(facts: readonly DomainEvent[], stillLeader: () => boolean): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!stillLeader()) return;
      try {
        this.#version ??= await this.#store.getLatestVersion(CLUSTER_ACTOR_ID);
        const base = this.#version;
        await this.#store.saveEvents(
          facts.map((fact, index) => ({
            id: createId(),
            eventType: fact.type,
            actorId: CLUSTER_ACTOR_ID,
            version: base + index + 1,
            data: fact,
          })),
        );
        this.#version = base + facts.length;
        return;
      } catch (error) {
        this.#version = undefined;
        if (!isVersionConflict(error)) {
          this.#logger.warn({ err: error }, "cluster history append failed; facts dropped");
          return;
        }
      }
    }
    this.#logger.warn("cluster history append conflicted twice; facts dropped");
  }
}
