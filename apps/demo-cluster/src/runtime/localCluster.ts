import type { ShardAssignments, ShardLifecycleListener, ShardOwnership } from "@aether/cluster";
import { isoNow, systemClock, type Clock, type DomainEventPublisher } from "@aether/kernel";
import type { ClusterView, NodeView } from "./clusterView.js";
import { assignShards, shardOf } from "./shardHash.js";

export interface LocalClusterOptions {
  /** @default 64 */
  shardCount?: number;
  /** @default 200 */
  heartbeatMs?: number;
  /** A member whose heartbeats stop this long is declared failed. @default 1500 */
  failureTimeoutMs?: number;
  /** Receives NodeJoined, NodeLeft, NodeFailed, LeaderElected, LeadershipLost, ShardAssigned, ShardMigrated. */
  publisher: DomainEventPublisher;
  clock?: Clock;
}

interface Member {
  nodeId: string;
  status: "up" | "failed" | "left";
  crashed: boolean;
  paused: boolean;
  lastHeartbeat: number;
  httpUrl?: string;
  listeners: Set<ShardLifecycleListener>;
  served: Set<number>;
}

/**
 * Membership, a leader and a shard map for the logical nodes of ONE process (the embedded demo).
 * A stand-in with the shape of `@aether/cluster`'s ClusterNode until that lands here: one object
 * holds the truth, so there is nothing to agree on; failures are still detected by missing
 * heartbeats and a node still fences itself off when its own heartbeat is older than the timeout.
 */
export class LocalCluster {
  readonly shardCount: number;
  readonly #heartbeatMs: number;
  readonly #failureTimeoutMs: number;
  readonly #publisher: DomainEventPublisher;
  readonly #clock: Clock;
  readonly #members = new Map<string, Member>();
  readonly #timer: NodeJS.Timeout;
  #shards: (string | null)[];
  #mapVersion = 0;
  #leader: { nodeId: string; term: number } | undefined;
  #term = 0;

  constructor(options: LocalClusterOptions) {
    this.shardCount = options.shardCount ?? 64;
    this.#heartbeatMs = options.heartbeatMs ?? 200;
    this.#failureTimeoutMs = options.failureTimeoutMs ?? 1500;
    this.#publisher = options.publisher;
    this.#clock = options.clock ?? systemClock;
    this.#shards = Array.from({ length: this.shardCount }, () => null);
    this.#timer = setInterval(() => this.#tick(), this.#heartbeatMs);
    this.#timer.unref();
  }

  join(nodeId: string, httpUrl?: string): LocalClusterNode {
    const existing = this.#members.get(nodeId);
    if (existing !== undefined && existing.status === "up" && !existing.crashed) {
      throw new Error(`Node ${nodeId} is already a live member`);
    }
    const member: Member = {
      nodeId,
      status: "up",
      crashed: false,
      paused: false,
      lastHeartbeat: this.#now(),
      ...(httpUrl === undefined ? {} : { httpUrl }),
      listeners: new Set(),
      served: new Set(),
    };
    this.#members.set(nodeId, member);
    this.#publish({ type: "NodeJoined", nodeId });
    void this.#converge();
    return new LocalClusterNode(this, member);
  }

  /** Graceful: hand the shards over first, then deregister. */
  async leave(member: Member): Promise<void> {
    if (member.status !== "up") return;
    member.status = "left";
    this.#publish({ type: "NodeLeft", nodeId: member.nodeId });
    await this.#converge("left");
  }

  /** kill -9: the node stops at once, no handover; the others notice by its missing heartbeats. */
  crash(member: Member): void {
    member.crashed = true;
    this.#stopServingAll(member, "closed");
  }

  pause(member: Member): void {
    member.paused = true;
  }

  resume(member: Member): void {
    member.paused = false;
    if (member.status === "failed" && !member.crashed) {
      // Declared failed while frozen: it comes back as a new member.
      member.status = "up";
      member.lastHeartbeat = this.#now();
      this.#publish({ type: "NodeJoined", nodeId: member.nodeId });
      void this.#converge();
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  serves(member: Member, shardId: number): boolean {
    return (
      this.#shards[shardId] === member.nodeId &&
      member.served.has(shardId) &&
      this.#leaseValid(member)
    );
  }

  ownerOfShard(shardId: number): string | undefined {
    return this.#shards[shardId] ?? undefined;
  }

  assignments(): ShardAssignments {
    return {
      version: this.#mapVersion,
      shards: this.#shards.map((owner) => owner ?? undefined),
    };
  }

  leader(): { nodeId: string; term: number } | undefined {
    return this.#leader;
  }

  view(nodeId: string): ClusterView {
    const owned = new Map<string, number>();
    for (const owner of this.#shards)
      if (owner !== null) owned.set(owner, (owned.get(owner) ?? 0) + 1);
    const nodes: NodeView[] = [...this.#members.values()].map((member) => ({
      nodeId: member.nodeId,
      // A crashed node looks up until its heartbeats are missed; a frozen one is shown as paused.
      status: member.status === "up" && member.paused ? "paused" : member.status,
      shardsOwned: owned.get(member.nodeId) ?? 0,
      ...(member.httpUrl === undefined ? {} : { httpUrl: member.httpUrl }),
    }));
    return {
      nodeId,
      leader: this.#leader,
      mapVersion: this.#mapVersion,
      shards: [...this.#shards],
      nodes,
    };
  }

  addListener(member: Member, listener: ShardLifecycleListener): () => void {
    member.listeners.add(listener);
    for (const shardId of member.served) void listener.shardStarted?.(shardId);
    return () => member.listeners.delete(listener);
  }

  #now(): number {
    return this.#clock.now();
  }

  #leaseValid(member: Member): boolean {
    return (
      member.status === "up" &&
      !member.crashed &&
      !member.paused &&
      this.#now() - member.lastHeartbeat < this.#failureTimeoutMs
    );
  }

  #tick(): void {
    const now = this.#now();
    let changed = false;
    for (const member of this.#members.values()) {
      if (member.status !== "up") continue;
      if (!member.crashed && !member.paused) {
        member.lastHeartbeat = now;
      } else if (now - member.lastHeartbeat >= this.#failureTimeoutMs) {
        member.status = "failed";
        this.#publish({
          type: "NodeFailed",
          nodeId: member.nodeId,
          lastSeen: new Date(member.lastHeartbeat).toISOString(),
        });
        this.#stopServingAll(member, "lease-lapsed");
        changed = true;
      }
    }
    if (changed) void this.#converge("failed");
  }

  #stopServingAll(member: Member, reason: "closed" | "lease-lapsed"): void {
    for (const shardId of member.served) {
      for (const listener of member.listeners) void listener.shardStopping?.(shardId, reason);
    }
    member.served.clear();
  }

  // The leader's job in the real cluster: elect, recompute the map, hand shards over (stop the old
  // owner before starting the new one), publish what moved.
  async #converge(reason?: "left" | "failed"): Promise<void> {
    const live = [...this.#members.values()]
      .filter((member) => member.status === "up" && !member.crashed && !member.paused)
      .map((member) => member.nodeId)
      .sort();
    const leaderId = live[0];
    if (this.#leader !== undefined && this.#leader.nodeId !== leaderId) {
      const old = this.#members.get(this.#leader.nodeId);
      if (old !== undefined && old.status !== "up") {
        this.#publish({
          type: "LeadershipLost",
          nodeId: this.#leader.nodeId,
          term: this.#leader.term,
          reason: reason ?? "replaced",
        });
      }
    }
    if (leaderId !== undefined && this.#leader?.nodeId !== leaderId) {
      this.#leader = { nodeId: leaderId, term: ++this.#term };
      this.#publish({ type: "LeaderElected", nodeId: leaderId, term: this.#term });
    }
    if (leaderId === undefined) this.#leader = undefined;

    const next = assignShards(this.shardCount, live);
    const previous = this.#shards;
    const moves: { shardId: number; from: string | null; to: string | null }[] = [];
    next.forEach((to, shardId) => {
      if (previous[shardId] !== to) moves.push({ shardId, from: previous[shardId] ?? null, to });
    });
    if (moves.length === 0) return;
    const mapVersion = ++this.#mapVersion;
    // Planned handover: the old owners stop (draining their in-flight work) before anyone starts.
    await Promise.all(
      moves.map(async ({ shardId, from }) => {
        const old = from === null ? undefined : this.#members.get(from);
        if (old === undefined || !old.served.delete(shardId)) return;
        await Promise.all([...old.listeners].map((l) => l.shardStopping?.(shardId, "moved")));
      }),
    );
    if (mapVersion !== this.#mapVersion) return;
    this.#shards = next;
    for (const { shardId, from, to } of moves) {
      if (to === null) continue;
      const member = this.#members.get(to);
      member?.served.add(shardId);
      for (const listener of member?.listeners ?? []) void listener.shardStarted?.(shardId);
      if (from === null) this.#publish({ type: "ShardAssigned", shardId, nodeId: to, mapVersion });
      else
        this.#publish({
          type: "ShardMigrated",
          shardId,
          fromNodeId: from,
          toNodeId: to,
          mapVersion,
        });
    }
  }

  #publish(
    event: DistributiveOmit<Parameters<DomainEventPublisher["publishDomainEvent"]>[0], "at">,
  ): void {
    this.#publisher.publishDomainEvent({ ...event, at: isoNow(this.#clock) } as Parameters<
      DomainEventPublisher["publishDomainEvent"]
    >[0]);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One logical node's face of the LocalCluster: the `ShardOwnership` the actor side builds on. */
export class LocalClusterNode implements ShardOwnership {
  readonly #cluster: LocalCluster;
  readonly #member: Member;

  constructor(cluster: LocalCluster, member: Member) {
    this.#cluster = cluster;
    this.#member = member;
  }

  get nodeId(): string {
    return this.#member.nodeId;
  }

  get shardCount(): number {
    return this.#cluster.shardCount;
  }

  get alive(): boolean {
    return !this.#member.crashed && this.#member.status !== "left";
  }

  get paused(): boolean {
    return this.#member.paused;
  }

  shardFor(actorId: string): number {
    return shardOf(actorId, this.#cluster.shardCount);
  }

  ownsShard(shardId: number): boolean {
    return this.#cluster.serves(this.#member, shardId);
  }

  ownerOf(actorId: string): string | undefined {
    return this.#cluster.ownerOfShard(this.shardFor(actorId));
  }

  getShardAssignments(): ShardAssignments {
    return this.#cluster.assignments();
  }

  getLeader(): { nodeId: string; term: number } | undefined {
    return this.#cluster.leader();
  }

  isLeader(): boolean {
    return this.#cluster.leader()?.nodeId === this.nodeId;
  }

  view(): ClusterView {
    return this.#cluster.view(this.nodeId);
  }

  advertise(httpUrl: string): void {
    this.#member.httpUrl = httpUrl;
  }

  addShardListener(listener: ShardLifecycleListener): () => void {
    return this.#cluster.addListener(this.#member, listener);
  }

  leave(): Promise<void> {
    return this.#cluster.leave(this.#member);
  }

  crash(): void {
    this.#cluster.crash(this.#member);
  }

  pause(): void {
    this.#cluster.pause(this.#member);
  }

  resume(): void {
    this.#cluster.resume(this.#member);
  }
}
