import {
  ActorHost,
  ClusterNode,
  type ActorTransport,
  type ClusterTiming,
  type Coordination,
} from "@aether/cluster";
import type { EventStore } from "@aether/event-sourcing";
import { isAetherError, type DomainEventPublisher, type Event, type Logger } from "@aether/kernel";
import { bankAccount, type BankAccount, type BankAccountCommand } from "../domain/bankAccount.js";
import { BankError, isBankErrorCode } from "../domain/bankError.js";
import type { AccountResult } from "./accountResult.js";
import type { ClusterView, NodeView } from "./clusterView.js";
import type { NodeRuntime, SendOptions } from "./nodeRuntime.js";

export const ACCOUNT_TYPE = "BankAccount";

export interface ClusterRuntimeOptions {
  nodeId: string;
  coordination: Coordination;
  transport: ActorTransport;
  /** This node's store (reads and appends); see ObservedEventStore. */
  eventStore: EventStore;
  publisher: DomainEventPublisher;
  logger: Logger;
  shardCount?: number;
  timing?: Partial<ClusterTiming>;
  /** Where each node's HTTP API listens, as far as this node knows. */
  httpUrls?: () => ReadonlyMap<string, string>;
}

/**
 * The seam between the app and `@aether/cluster`: a ClusterNode (membership, leader lease, shard
 * map) and an ActorHost (commands routed to the shard's owner) for one node. The embedded mode
 * passes an InMemoryCoordination and an InProcessTransport shared by its nodes; the NATS mode
 * passes natsCoordination and natsTransport. Nothing above this file knows which.
 */
export class ClusterRuntime implements NodeRuntime {
  readonly node: ClusterNode;
  readonly host: ActorHost;
  readonly #httpUrls: () => ReadonlyMap<string, string>;

  private constructor(node: ClusterNode, host: ActorHost, options: ClusterRuntimeOptions) {
    this.node = node;
    this.host = host;
    this.#httpUrls = options.httpUrls ?? (() => new Map());
  }

  static async start(options: ClusterRuntimeOptions): Promise<ClusterRuntime> {
    const node = await ClusterNode.start({
      coordination: options.coordination,
      nodeId: options.nodeId,
      publisher: options.publisher,
      logger: options.logger,
      ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
      ...(options.timing === undefined ? {} : { timing: options.timing }),
    });
    const host = new ActorHost({
      cluster: node,
      transport: options.transport,
      logger: options.logger,
    });
    host.register(ACCOUNT_TYPE, { actor: bankAccount, eventStore: options.eventStore });
    return new ClusterRuntime(node, host, options);
  }

  get nodeId(): string {
    return this.node.nodeId;
  }

  async send(
    actorId: string,
    command: BankAccountCommand,
    options: SendOptions = {},
  ): Promise<AccountResult> {
    try {
      const result = await this.host.send<BankAccount>(ACCOUNT_TYPE, actorId, command, options);
      return {
        actorId,
        state: result.state,
        version: result.version,
        events: result.events as unknown as Event[],
        commandId: result.commandId,
        servedBy: this.node.ownerOf(actorId) ?? null,
        repeated: result.duplicate,
      };
    } catch (error) {
      // The actor's refusal crosses nodes as COMMAND_REJECTED with the bank's code as the reason.
      if (isAetherError(error) && error.code === "COMMAND_REJECTED") {
        const reason = error.details["reason"];
        if (isBankErrorCode(reason)) throw new BankError(reason, error.message);
      }
      throw error;
    }
  }

  view(): ClusterView {
    const topology = this.node.getClusterTopology();
    const urls = this.#httpUrls();
    const nodes: NodeView[] = topology.nodes.map((member) => {
      const httpUrl = urls.get(member.nodeId);
      return {
        nodeId: member.nodeId,
        status: member.status,
        shardsOwned: member.shards.length,
        ...(httpUrl === undefined ? {} : { httpUrl }),
      };
    });
    return {
      nodeId: this.nodeId,
      leader: topology.leader === undefined ? undefined : { ...topology.leader },
      mapVersion: topology.mapVersion,
      shards: this.node.getShardAssignments().shards.map((owner) => owner ?? null),
      nodes,
    };
  }

  shardFor(actorId: string): number {
    return this.node.shardFor(actorId);
  }

  ownerOf(actorId: string): string | undefined {
    return this.node.ownerOf(actorId);
  }

  isReady(): boolean {
    const assignments = this.node.getShardAssignments();
    return assignments.version > 0 && assignments.shards.every((owner) => owner !== undefined);
  }

  cacheStats(): { hits: number; misses: number } {
    const stats = this.host.stats();
    return { hits: stats.cacheHits, misses: stats.cacheMisses };
  }

  async leave(): Promise<void> {
    await this.node.leave();
    await this.host.close();
  }

  async close(): Promise<void> {
    await this.node.close();
    await this.host.close();
  }
}
