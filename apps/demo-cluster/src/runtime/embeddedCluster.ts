import { InMemoryCoordination, InProcessTransport, type ClusterTiming } from "@aether/cluster";
import { EventBus } from "@aether/event-bus";
import { InMemoryEventStore } from "@aether/event-sourcing";
import type { Logger } from "@aether/kernel";
import { ClusterRuntime } from "./clusterRuntime.js";
import { ObservedEventStore, type EventStoreObserver } from "./observedEventStore.js";

export interface EmbeddedClusterOptions {
  /** Account events go here: the bus the read models subscribe to. */
  namespace: string;
  shardCount?: number;
  timing?: Partial<ClusterTiming>;
}

/**
 * The embedded default: the parts N logical nodes of one process share — an InMemoryCoordination
 * (one cluster), an InProcessTransport, one in-memory event store and one bus — so the code above
 * the NodeRuntime seam runs unchanged without NATS.
 */
export class EmbeddedCluster {
  readonly bus = new EventBus({ nodeId: "embedded", bufferSize: 65_536 });
  readonly eventStore: InMemoryEventStore;
  readonly coordination = new InMemoryCoordination();
  readonly transport = new InProcessTransport();
  readonly httpUrls = new Map<string, string>();
  readonly #options: EmbeddedClusterOptions;

  constructor(options: EmbeddedClusterOptions) {
    this.#options = options;
    this.eventStore = new InMemoryEventStore({ namespace: options.namespace, publisher: this.bus });
  }

  startNode(
    nodeId: string,
    options: { observer: EventStoreObserver; logger: Logger },
  ): Promise<ClusterRuntime> {
    return ClusterRuntime.start({
      nodeId,
      coordination: this.coordination,
      transport: this.transport,
      eventStore: new ObservedEventStore(this.eventStore, options.observer),
      publisher: this.bus,
      logger: options.logger,
      httpUrls: () => this.httpUrls,
      ...(this.#options.shardCount === undefined ? {} : { shardCount: this.#options.shardCount }),
      ...(this.#options.timing === undefined ? {} : { timing: this.#options.timing }),
    });
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}
