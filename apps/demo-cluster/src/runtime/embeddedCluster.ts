import { EventBus } from "@aether/event-bus";
import { InMemoryEventStore } from "@aether/event-sourcing";
import { createId } from "@aether/kernel";
import type { BankAccountCommand } from "../domain/bankAccount.js";
import { AccountOwner, type AccountOwnerObserver, type AccountResult } from "./accountOwner.js";
import { LocalCluster, type LocalClusterNode } from "./localCluster.js";
import type { NodeRuntime, SendOptions } from "./nodeRuntime.js";
import { routeCommand, withinDeadline } from "./routeCommand.js";

export interface EmbeddedClusterOptions {
  /** Account events go here: the bus the read models subscribe to. */
  namespace: string;
  shardCount?: number;
  failureTimeoutMs?: number;
  heartbeatMs?: number;
}

/**
 * The embedded default: N logical nodes in one process sharing one in-memory event store, one bus
 * and one coordination, so the code above the NodeRuntime seam runs unchanged without NATS.
 */
export class EmbeddedCluster {
  readonly bus = new EventBus({ nodeId: "embedded", bufferSize: 65_536 });
  readonly eventStore: InMemoryEventStore;
  readonly #cluster: LocalCluster;
  readonly #owners = new Map<string, AccountOwner>();

  constructor(options: EmbeddedClusterOptions) {
    this.eventStore = new InMemoryEventStore({ namespace: options.namespace, publisher: this.bus });
    this.#cluster = new LocalCluster({
      publisher: this.bus,
      ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
      ...(options.failureTimeoutMs === undefined
        ? {}
        : { failureTimeoutMs: options.failureTimeoutMs }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    });
  }

  addNode(
    nodeId: string,
    options: { observer?: AccountOwnerObserver; httpUrl?: string } = {},
  ): EmbeddedNode {
    const member = this.#cluster.join(nodeId, options.httpUrl);
    let hits = 0;
    let misses = 0;
    const owner = new AccountOwner({
      ownership: member,
      eventStore: this.eventStore,
      observer: {
        ...options.observer,
        cacheLookup: (hit) => {
          if (hit) hits++;
          else misses++;
          options.observer?.cacheLookup?.(hit);
        },
      },
    });
    this.#owners.set(nodeId, owner);
    return new EmbeddedNode({
      member,
      owner,
      owners: this.#owners,
      cacheStats: () => ({ hits, misses }),
    });
  }

  async close(): Promise<void> {
    this.#cluster.close();
    await this.bus.close();
  }
}

interface EmbeddedNodeParts {
  member: LocalClusterNode;
  owner: AccountOwner;
  owners: Map<string, AccountOwner>;
  cacheStats: () => { hits: number; misses: number };
}

/** One logical node; `crash`, `pause` and `resume` stand for kill -9, SIGSTOP and SIGCONT. */
export class EmbeddedNode implements NodeRuntime {
  readonly #parts: EmbeddedNodeParts;

  constructor(parts: EmbeddedNodeParts) {
    this.#parts = parts;
  }

  get nodeId(): string {
    return this.#parts.member.nodeId;
  }

  get alive(): boolean {
    return this.#parts.member.alive;
  }

  get paused(): boolean {
    return this.#parts.member.paused;
  }

  send(
    actorId: string,
    command: BankAccountCommand,
    options: SendOptions = {},
  ): Promise<AccountResult> {
    const { member, owners } = this.#parts;
    const commandId = options.commandId ?? createId();
    return routeCommand({
      actorId,
      command,
      commandId,
      timeoutMs: options.timeoutMs ?? 5_000,
      shardFor: (id) => member.shardFor(id),
      mapVersion: () => member.getShardAssignments().version,
      toOwner: (remainingMs) => {
        const ownerId = member.ownerOf(actorId);
        const owner = ownerId === undefined ? undefined : owners.get(ownerId);
        if (owner === undefined) return undefined;
        return withinDeadline(
          owner.handle(actorId, command, commandId),
          remainingMs,
          `Node ${ownerId}`,
        );
      },
    });
  }

  view() {
    return this.#parts.member.view();
  }

  shardFor(actorId: string): number {
    return this.#parts.member.shardFor(actorId);
  }

  ownerOf(actorId: string): string | undefined {
    return this.#parts.member.ownerOf(actorId);
  }

  isReady(): boolean {
    return this.alive && !this.paused && this.#parts.member.getShardAssignments().version > 0;
  }

  cacheStats(): { hits: number; misses: number } {
    return this.#parts.cacheStats();
  }

  /** Publishes where this node's HTTP API listens (shown in the topology). */
  advertise(httpUrl: string): void {
    this.#parts.member.advertise(httpUrl);
  }

  async leave(): Promise<void> {
    await this.#parts.member.leave();
  }

  async close(): Promise<void> {
    this.crash();
  }

  crash(): void {
    this.#parts.owner.thaw();
    this.#parts.member.crash();
  }

  pause(): void {
    this.#parts.member.pause();
    this.#parts.owner.freeze();
  }

  resume(): void {
    this.#parts.member.resume();
    this.#parts.owner.thaw();
  }
}
