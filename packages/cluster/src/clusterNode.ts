import {
  AetherError,
  createId,
  defaultLogger,
  guardPublisher,
  isRetryable,
  isoNow,
  parseActorId,
  silentDomainEventPublisher,
  systemClock,
} from "@aether/kernel";
import type { Clock, DomainEvent, DomainEventPublisher, Logger } from "@aether/kernel";
import type { EventStore } from "@aether/event-sourcing";
import { ClusterError, isCoordinationConflict } from "./clusterError.js";
import { resolveTiming } from "./clusterTiming.js";
import type { ClusterTiming } from "./clusterTiming.js";
import type { ClusterMember, ClusterTopology, LeaderInfo } from "./clusterTopology.js";
import type { Coordination, CoordinationChange, CoordinationWatch } from "./coordination.js";
import { ClusterHistory } from "./internal/clusterHistory.js";
import {
  CONFIG_KEY,
  LEADER_KEY,
  MAP_KEY,
  MEMBER_PREFIX,
  memberKey,
} from "./internal/coordinationKeys.js";
import {
  configRecord,
  emptyShardMap,
  leaderRecord,
  memberRecord,
  parseRecord,
  shardMapRecord,
} from "./internal/records.js";
import type { LeaderRecord, MemberRecord, ShardMapRecord } from "./internal/records.js";
import { planShardMap } from "./internal/shardMapPlan.js";
import { decodeShardSet, encodeShardSet } from "./internal/shardSet.js";
import { stableHash32 } from "./internal/stableHash.js";
import { systemScheduler } from "./scheduler.js";
import type { Scheduler } from "./scheduler.js";
import type { ShardLifecycleListener, ShardStopReason } from "./shardLifecycle.js";
import type { ShardAssignments, ShardOwnership } from "./shardOwnership.js";

export interface ClusterNodeOptions {
  /** Where the cluster's state lives: `natsCoordination(nc, …)` or an `InMemoryCoordination`. */
  coordination: Coordination;
  /** Unique among live nodes. @default a fresh UUIDv7 */
  nodeId?: string;
  /** Every node of a cluster must agree; checked at join. @default 64 */
  shardCount?: number;
  /** @default see `defaultClusterTiming` */
  timing?: Partial<ClusterTiming>;
  /** Receives the cluster's domain events. @default silent */
  publisher?: DomainEventPublisher;
  /** Stamps domain events and history. @default systemClock */
  clock?: Clock;
  /** Monotonic time and timers, on which leases are measured. @default systemScheduler */
  scheduler?: Scheduler;
  logger?: Logger;
  /** The leader appends each cluster fact to the `cluster` actor here, with OCC. */
  history?: EventStore;
  /** Hears shard starts and stops from the first one on (same as `addShardListener`). */
  shardListener?: ShardLifecycleListener;
  /**
   * How long `start()` rides out a store that does not answer yet (a bucket forming, NATS electing
   * a new stream or meta leader after a server died) before it fails with the last retryable error.
   * @default 30000
   */
  startTimeoutMs?: number;
}

interface MemberView {
  record: MemberRecord;
  revision: number;
  timestamp: number;
  /** This node's monotonic time when it saw this revision. */
  seenAt: number;
}

interface LeaderView {
  record: LeaderRecord;
  revision: number;
  seenAt: number;
}

type NodeState = "running" | "leaving" | "closed";

const DEFAULT_SHARD_COUNT = 64;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const MAX_SHARD_COUNT = 65_536;
const MAX_NODE_ID_LENGTH = 256;

/**
 * One member of a cluster: keeps its membership lease alive, competes for the leader lease, and
 * serves the shards the leader's map gives it, only while its own lease is valid at the moment
 * of asking. Start with {@link ClusterNode.start}.
 */
export class ClusterNode implements ShardOwnership, AsyncDisposable {
  readonly nodeId: string;
  readonly shardCount: number;
  readonly timing: Readonly<ClusterTiming>;

  readonly #coordination: Coordination;
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #publisher: DomainEventPublisher;
  readonly #logger: Logger;
  readonly #history: ClusterHistory | undefined;
  readonly #incarnation = createId();
  readonly #startedAt: string;
  readonly #memberKey: string;
  readonly #listeners = new Set<ShardLifecycleListener>();
  readonly #startTimeoutMs: number;

  #state: NodeState = "running";
  #watch: CoordinationWatch | undefined;
  /** This node's own write that the watch has yet to show. */
  #echo: { revision: number; sentAt: number } | undefined;
  readonly #timers = new Set<() => void>();

  // What this node has seen of the store.
  readonly #members = new Map<string, MemberView>();
  #leader: LeaderView | undefined;
  #map: ShardMapRecord;
  #mapRevision = 0;
  /**
   * The highest revision the watch has delivered. The watch delivers in store order, so the view
   * holds every write before it; a leader plans only from a view that has reached the map it
   * builds on (see #leaderDutyOnce).
   */
  #watchedRevision = 0;

  // Its own membership lease.
  #memberRevision = 0;
  #memberRenewedAt = Number.NEGATIVE_INFINITY;
  #memberLost = false;
  #memberWrites: Promise<unknown> = Promise.resolve();
  #claims = new Set<number>();
  #reportedClaims = new Set<number>();

  // Its leader lease, while it holds one.
  #term: number | undefined;
  #leaderRevision = 0;
  #leaderRenewedAt = Number.NEGATIVE_INFINITY;
  #pendingFailures: { nodeId: string; lastSeen: string }[] = [];

  readonly #serving = new Map<number, "serving" | "stopping">();
  #reconciling = false;
  #reconcileAgain = false;
  #dutyRunning = false;
  #dutyAgain = false;
  #leaveDone: (() => void) | undefined;

  private constructor(options: ClusterNodeOptions, nodeId: string, shardCount: number) {
    this.nodeId = nodeId;
    this.shardCount = shardCount;
    this.timing = Object.freeze(resolveTiming(options.timing));
    this.#coordination = options.coordination;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? defaultLogger()).child({ component: "cluster", nodeId });
    this.#publisher = guardPublisher(options.publisher ?? silentDomainEventPublisher, this.#logger);
    this.#history =
      options.history === undefined ? undefined : new ClusterHistory(options.history, this.#logger);
    this.#startedAt = isoNow(this.#clock);
    this.#startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.#memberKey = memberKey(nodeId);
    this.#map = emptyShardMap(shardCount);
    if (options.shardListener !== undefined) this.#listeners.add(options.shardListener);
  }

  /** Joins the cluster: checks `shardCount`, registers this node, then keeps it alive. */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    if (options === null || typeof options !== "object" || options.coordination === undefined) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        "ClusterNode.start: options.coordination is required",
      );
    }
    const nodeId = options.nodeId ?? createId();
    if (typeof nodeId !== "string" || nodeId.length === 0 || nodeId.length > MAX_NODE_ID_LENGTH) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        `ClusterNode.start: nodeId must be a non-empty string of at most ${MAX_NODE_ID_LENGTH} characters, got ${JSON.stringify(nodeId)}`,
      );
    }
    const { startTimeoutMs } = options;
    if (
      startTimeoutMs !== undefined &&
      (typeof startTimeoutMs !== "number" || !Number.isFinite(startTimeoutMs) || startTimeoutMs < 0)
    ) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        `ClusterNode.start: startTimeoutMs must be a non-negative number of milliseconds, got ${String(startTimeoutMs)}`,
      );
    }
    const shardCount = options.shardCount ?? DEFAULT_SHARD_COUNT;
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        `ClusterNode.start: shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${String(shardCount)}`,
      );
    }
    const node = new ClusterNode(options, nodeId, shardCount);
    await node.#join();
    return node;
  }

  // ── ShardOwnership ────────────────────────────────────────────────────────────────────────

  shardFor(actorId: string): number {
    return stableHash32(parseActorId(actorId)) % this.shardCount;
  }

  ownsShard(shardId: number): boolean {
    return (
      this.#state !== "closed" &&
      this.#serving.get(shardId) === "serving" &&
      this.#map.shards[shardId] === this.nodeId &&
      this.#memberLeaseValid()
    );
  }

  ownerOf(actorId: string): string | undefined {
    return this.#map.shards[this.shardFor(actorId)] ?? undefined;
  }

  getShardAssignments(): ShardAssignments {
    return {
      version: this.#map.version,
      shards: this.#map.shards.map((owner) => owner ?? undefined),
    };
  }

  addShardListener(listener: ShardLifecycleListener): () => void {
    this.#listeners.add(listener);
    for (const [shardId, state] of this.#serving) {
      if (state === "serving") void this.#callStarted(listener, shardId);
    }
    return () => this.#listeners.delete(listener);
  }

  // ── Leadership and topology ───────────────────────────────────────────────────────────────

  /** True only while this node holds the leader lease by the rate-based rule, now. */
  isLeader(): boolean {
    return (
      this.#term !== undefined &&
      this.#state !== "closed" &&
      this.#scheduler.now() - this.#leaderRenewedAt < this.timing.leaseTtlMs - this.timing.marginMs
    );
  }

  getLeader(): LeaderInfo | undefined {
    if (this.#term !== undefined) {
      return this.isLeader() ? { nodeId: this.nodeId, term: this.#term } : undefined;
    }
    const leader = this.#leader;
    if (leader === undefined || this.#isMine(leader.record)) return undefined;
    return { nodeId: leader.record.nodeId, term: leader.record.term ?? leader.revision };
  }

  getClusterTopology(): ClusterTopology {
    const now = this.#scheduler.now();
    const leader = this.getLeader();
    const owned = new Map<string, number[]>();
    this.#map.shards.forEach((owner, shardId) => {
      if (owner !== null) owned.set(owner, [...(owned.get(owner) ?? []), shardId]);
    });
    const nodes: ClusterMember[] = [...this.#members.values()]
      .map((member) => ({
        nodeId: member.record.nodeId,
        status: member.record.leaving
          ? ("leaving" as const)
          : member.record.nodeId !== this.nodeId &&
              now - member.seenAt >= this.timing.failureTimeoutMs
            ? ("unreachable" as const)
            : ("up" as const),
        shards: owned.get(member.record.nodeId) ?? [],
        isLeader: leader?.nodeId === member.record.nodeId,
        lastSeen: new Date(member.timestamp).toISOString(),
      }))
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    return {
      nodeId: this.nodeId,
      leader,
      mapVersion: this.#map.version,
      shardCount: this.shardCount,
      nodes,
    };
  }

  // ── Leaving ───────────────────────────────────────────────────────────────────────────────

  /**
   * Leaves gracefully: lets the leader (itself, if it leads) move this node's shards away (each
   * drained through `shardStopping(…, "leaving")` before its next owner starts), then gives up
   * the leader lease and deregisters. Bounded: past `drainTimeoutMs + failureTimeoutMs + 2 × leaseTtlMs` it stops its
   * remaining shards itself and goes.
   */
  async leave(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "leaving";
    await this.#writeMember();
    const { drainTimeoutMs, failureTimeoutMs, leaseTtlMs } = this.timing;
    await new Promise<void>((resolve) => {
      this.#leaveDone = resolve;
      this.#after(drainTimeoutMs + failureTimeoutMs + 2 * leaseTtlMs, () => {
        this.#logger.warn(
          "leave: the cluster did not take the shards over in time; releasing them",
        );
        this.#memberLost = true;
        this.#reconcile();
      });
      this.#reconcile();
    });
    // A leader leads its own departure (its shards move like anyone's) and only then lets go.
    if (this.#term !== undefined) {
      const revision = this.#leaderRevision;
      this.#loseLeadership("leaving");
      await this.#coordination.delete(LEADER_KEY, revision).catch((error: unknown) => {
        this.#logger.debug({ err: error }, "could not release the leader lease; it will lapse");
      });
    }
    const alone = [...this.#members.keys()].every((nodeId) => nodeId === this.nodeId);
    await this.#memberWrites;
    await this.#coordination
      .delete(this.#memberKey, this.#memberRevision)
      .catch((error: unknown) => {
        this.#logger.warn(
          { err: error },
          "could not delete the member key; it will be declared failed",
        );
      });
    // With nobody left to see the key go, the last node reports its own departure.
    if (alone) this.#publish({ type: "NodeLeft", at: isoNow(this.#clock), nodeId: this.nodeId });
    this.#shutDown();
  }

  /** Stops without a handover, as a crash looks to the others: its shards move after the failure timeout. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#loseLeadership("closed");
    this.#shutDown();
    await Promise.all(
      [...this.#serving.keys()].map((shardId) => this.#stopShard(shardId, "closed")),
    );
  }

  /** `await using node = …` leaves gracefully. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.leave();
    await this.close();
  }

  // ── Joining ───────────────────────────────────────────────────────────────────────────────

  async #join(): Promise<void> {
    const deadline = this.#scheduler.now() + this.#startTimeoutMs;
    await this.#retrying(deadline, () => this.#checkConfig());
    await this.#retrying(deadline, () => this.#register());
    // Others see the member key from here on. Loading the view can take seconds while NATS elects
    // new leaders after a server died; renewing meanwhile keeps the leader from declaring this node
    // failed (and moving the shards it was just given) before it even started.
    let joining = true;
    const renew = (): void => {
      if (!joining) return;
      void this.#writeMember();
      this.#after(this.timing.heartbeatMs, renew);
    };
    this.#after(this.timing.heartbeatMs, renew);
    try {
      await this.#retrying(deadline, () => this.#loadView());
    } finally {
      joining = false;
    }
    this.#startWatch();
    this.#tick();
  }

  /** Start-up rides out a store between leaders (retryable errors) until `startTimeoutMs`. */
  async #retrying(deadline: number, step: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        return await step();
      } catch (error) {
        if (!isRetryable(error) || this.#scheduler.now() >= deadline) throw error;
        this.#logger.debug({ err: error }, "joining: the store is not answering yet; retrying");
        await this.#sleep(this.timing.heartbeatMs / 4);
      }
    }
  }

  async #checkConfig(): Promise<void> {
    const value = JSON.stringify({ shardCount: this.shardCount });
    try {
      await this.#coordination.create(CONFIG_KEY, value);
      return;
    } catch (error) {
      if (!isCoordinationConflict(error)) throw error;
    }
    const entry = await this.#coordination.get(CONFIG_KEY);
    const config = parseRecord(configRecord, entry?.value);
    if (config === undefined) {
      throw new AetherError(
        "MISCONFIGURED",
        `The cluster's config key holds ${JSON.stringify(entry?.value)}, not a cluster config`,
      );
    }
    if (config.shardCount !== this.shardCount) {
      throw new ClusterError(
        "SHARD_COUNT_MISMATCH",
        `Node ${this.nodeId} was started with shardCount ${this.shardCount}, but the cluster uses ${config.shardCount}`,
        {
          details: {
            nodeId: this.nodeId,
            shardCount: this.shardCount,
            clusterShardCount: config.shardCount,
          },
        },
      );
    }
  }

  /**
   * Creates this node's member key. A key left by an earlier run of the same node id is taken
   * over once it has stayed unchanged for the failure timeout; one that changes meanwhile belongs
   * to a live node, and joining fails.
   */
  async #register(): Promise<void> {
    const sentAt = this.#scheduler.now();
    try {
      this.#memberRevision = await this.#coordination.create(this.#memberKey, this.#memberValue());
      this.#memberRenewedAt = sentAt;
      return;
    } catch (error) {
      if (!isCoordinationConflict(error)) throw error;
    }
    const first = await this.#coordination.get(this.#memberKey);
    if (first === undefined) return this.#register();
    const firstSeenAt = this.#scheduler.now();
    for (;;) {
      await this.#sleep(Math.min(this.timing.heartbeatMs, this.timing.failureTimeoutMs));
      const current = await this.#coordination.get(this.#memberKey);
      if (current === undefined) return this.#register();
      if (current.revision !== first.revision) {
        throw new ClusterError(
          "DUPLICATE_NODE_ID",
          `Node id ${JSON.stringify(this.nodeId)} is in use by a live node of this cluster`,
          { details: { nodeId: this.nodeId } },
        );
      }
      if (this.#scheduler.now() - firstSeenAt >= this.timing.failureTimeoutMs) break;
    }
    const sentAt2 = this.#scheduler.now();
    try {
      this.#memberRevision = await this.#coordination.update(
        this.#memberKey,
        this.#memberValue(),
        first.revision,
      );
      this.#memberRenewedAt = sentAt2;
    } catch (error) {
      if (!isCoordinationConflict(error)) throw error;
      return this.#register();
    }
  }

  async #loadView(): Promise<void> {
    const before = new Map([...this.#members].map(([nodeId, view]) => [nodeId, view.revision]));
    const keys = await this.#coordination.keys();
    const entries = await Promise.all(keys.map((key) => this.#coordination.get(key)));
    // Members deleted while no watch was listening are gone from the view too; one the watch
    // brought in or changed during the listing is newer than the listing and stays.
    const present = new Set(entries.flatMap((entry) => (entry === undefined ? [] : [entry.key])));
    for (const [nodeId, revision] of before) {
      if (!present.has(memberKey(nodeId)) && this.#members.get(nodeId)?.revision === revision) {
        this.#members.delete(nodeId);
      }
    }
    for (const entry of entries) if (entry !== undefined) this.#apply(entry);
  }

  #startWatch(): void {
    if (this.#state === "closed") return;
    const watch = this.#coordination.watch();
    this.#watch = watch;
    this.#echo = undefined;
    void (async () => {
      try {
        for await (const change of watch) {
          this.#watchedRevision = Math.max(this.#watchedRevision, change.revision);
          this.#apply(change);
        }
        if (this.#watch === watch && this.#state !== "closed") {
          this.#logger.warn("coordination watch ended; restarting it");
        }
      } catch (error) {
        this.#logger.warn({ err: error }, "coordination watch failed; restarting it");
      }
      if (this.#watch === watch && this.#state !== "closed") {
        this.#after(this.timing.heartbeatMs, () => {
          void this.#loadView().catch(() => undefined);
          this.#startWatch();
        });
      }
    })();
  }

  /**
   * A watch can stall without ending (its server died and the consumer did not recover). This
   * node's own heartbeats must come back through it; when one has not for three heartbeats, the
   * watch is replaced and the view reloaded.
   */
  #checkWatchEcho(): void {
    const echo = this.#echo;
    if (echo === undefined || this.#scheduler.now() - echo.sentAt < 3 * this.timing.heartbeatMs)
      return;
    this.#logger.warn({ revision: echo.revision }, "coordination watch stalled; restarting it");
    const stalled = this.#watch;
    this.#watch = undefined;
    stalled?.stop();
    void this.#loadView().catch(() => undefined);
    this.#startWatch();
  }

  // ── What the store says ───────────────────────────────────────────────────────────────────

  #apply(change: CoordinationChange): void {
    if (this.#state === "closed") return;
    const now = this.#scheduler.now();
    if (change.key === LEADER_KEY) this.#applyLeader(change, now);
    else if (change.key === MAP_KEY) this.#applyMap(change);
    else if (change.key.startsWith(MEMBER_PREFIX)) this.#applyMember(change, now);
    this.#leaderDuty();
    this.#reconcile();
  }

  #applyLeader(change: CoordinationChange, now: number): void {
    if (this.#leader !== undefined && change.revision <= this.#leader.revision) return;
    if (change.value === undefined) {
      this.#leader = undefined;
      if (this.#term !== undefined && change.revision > this.#leaderRevision) {
        this.#loseLeadership("superseded");
      }
      this.#after(0, () => void this.#takeOver());
      return;
    }
    const record = parseRecord(leaderRecord, change.value);
    if (record === undefined) {
      this.#logger.error(
        { value: change.value },
        "malformed leader lease; it will be taken over when it lapses",
      );
      this.#leader = {
        record: { nodeId: "?", incarnation: "?" },
        revision: change.revision,
        seenAt: now,
      };
    } else {
      this.#leader = { record, revision: change.revision, seenAt: now };
    }
    if (
      this.#term !== undefined &&
      change.revision > this.#leaderRevision &&
      !this.#isMine(this.#leader.record)
    ) {
      this.#loseLeadership("superseded");
    }
    this.#after(this.timing.leaseTtlMs, () => void this.#takeOver());
  }

  #applyMap(change: CoordinationChange): void {
    if (change.revision <= this.#mapRevision || change.value === undefined) return;
    const record = parseRecord(shardMapRecord, change.value);
    if (record === undefined || record.shards.length !== this.shardCount) {
      this.#logger.error(
        { revision: change.revision },
        "malformed shard map ignored; the leader will rewrite it",
      );
      return;
    }
    if (record.version < this.#map.version) {
      this.#logger.debug(
        { version: record.version, revision: change.revision, held: this.#map.version },
        "an older shard map under a newer revision ignored",
      );
      return;
    }
    this.#map = record;
    this.#mapRevision = change.revision;
  }

  #applyMember(change: CoordinationChange, now: number): void {
    if (
      change.key === this.#memberKey &&
      this.#echo !== undefined &&
      change.revision >= this.#echo.revision
    ) {
      this.#echo = undefined;
    }
    const existing = [...this.#members.values()].find(
      (member) => memberKey(member.record.nodeId) === change.key,
    );
    if (existing !== undefined && change.revision <= existing.revision) return;
    if (change.value === undefined) {
      if (existing !== undefined) this.#members.delete(existing.record.nodeId);
      return;
    }
    const record = parseRecord(memberRecord, change.value);
    if (record === undefined) {
      this.#logger.error({ key: change.key }, "malformed member entry ignored");
      return;
    }
    this.#members.set(record.nodeId, {
      record,
      revision: change.revision,
      timestamp: change.timestamp,
      seenAt: now,
    });
    this.#after(this.timing.failureTimeoutMs, () => this.#leaderDuty());
  }

  // ── Heartbeat ─────────────────────────────────────────────────────────────────────────────

  #tick(): void {
    if (this.#state === "closed") return;
    this.#after(this.timing.heartbeatMs, () => this.#tick());
    this.#checkWatchEcho();
    if (this.#memberLost && this.#state === "running") void this.#rejoin();
    else void this.#writeMember();
    if (this.#term !== undefined) void this.#renewLease();
    else void this.#takeOver();
    this.#leaderDuty();
    this.#reconcile();
  }

  #memberLeaseValid(): boolean {
    return (
      !this.#memberLost &&
      this.#scheduler.now() - this.#memberRenewedAt <
        this.timing.failureTimeoutMs - this.timing.marginMs
    );
  }

  #memberValue(): string {
    const record: MemberRecord = {
      nodeId: this.nodeId,
      incarnation: this.#incarnation,
      claims: encodeShardSet(this.#claims, this.shardCount),
      leaving: this.#state !== "running",
      startedAt: this.#startedAt,
    };
    return JSON.stringify(record);
  }

  /** One member write at a time, so each compare-and-set expects the revision of the last. */
  #writeMember(): Promise<boolean> {
    const write = this.#memberWrites.then(() => this.#writeMemberNow());
    this.#memberWrites = write.catch(() => undefined);
    return write;
  }

  async #writeMemberNow(): Promise<boolean> {
    if (this.#memberLost || this.#state === "closed") return false;
    const claims = new Set(this.#claims);
    const sentAt = this.#scheduler.now();
    try {
      this.#memberRevision = await this.#coordination.update(
        this.#memberKey,
        this.#memberValue(),
        this.#memberRevision,
      );
      this.#memberRenewedAt = sentAt;
      this.#reportedClaims = claims;
      this.#echo ??= { revision: this.#memberRevision, sentAt };
      this.#after(this.timing.failureTimeoutMs - this.timing.marginMs, () => this.#reconcile());
      return true;
    } catch (error) {
      if (!isCoordinationConflict(error)) {
        this.#logger.warn({ err: error }, "heartbeat failed; the membership lease runs on");
        return false;
      }
    }
    const current = await this.#coordination.get(this.#memberKey).catch(() => undefined);
    const record = parseRecord(memberRecord, current?.value);
    if (current !== undefined && record?.incarnation === this.#incarnation) {
      // An earlier write whose answer was lost did land; go on from it (it renews nothing).
      this.#memberRevision = current.revision;
      return false;
    }
    this.#logger.warn(
      "membership lease lost (declared failed); stopping every shard and rejoining",
    );
    this.#memberLost = true;
    this.#reconcile();
    return false;
  }

  async #rejoin(): Promise<void> {
    if (this.#serving.size > 0) return;
    this.#claims = new Set();
    const sentAt = this.#scheduler.now();
    try {
      const value = this.#memberValue();
      this.#memberRevision = await this.#coordination.create(this.#memberKey, value);
      this.#memberRenewedAt = sentAt;
      this.#reportedClaims = new Set();
      this.#memberLost = false;
      this.#logger.info("rejoined the cluster");
    } catch (error) {
      this.#logger.warn({ err: error }, "rejoin failed; retrying at the next heartbeat");
    }
  }

  // ── Leader lease ──────────────────────────────────────────────────────────────────────────

  #isMine(record: LeaderRecord): boolean {
    return record.nodeId === this.nodeId && record.incarnation === this.#incarnation;
  }

  async #takeOver(): Promise<void> {
    // A leaving node may lead too: with no one else left, it must be able to fail its dead peers.
    if (this.#state === "closed" || this.#term !== undefined || !this.#memberLeaseValid()) return;
    const seen = this.#leader;
    const now = this.#scheduler.now();
    if (seen !== undefined && now - seen.seenAt < this.timing.leaseTtlMs) return;
    const value = JSON.stringify({ nodeId: this.nodeId, incarnation: this.#incarnation });
    let revision: number;
    try {
      revision =
        seen === undefined
          ? await this.#coordination.create(LEADER_KEY, value)
          : await this.#coordination.update(LEADER_KEY, value, seen.revision);
    } catch (error) {
      if (isCoordinationConflict(error)) await this.#refreshLeader();
      else this.#logger.debug({ err: error }, "lease takeover failed");
      return;
    }
    // The state may have changed while the write was in flight.
    const state = this.#state as NodeState;
    if (state === "closed" || (this.#leader !== undefined && this.#leader.revision > revision))
      return;
    this.#term = revision;
    this.#leaderRevision = revision;
    this.#leaderRenewedAt = now;
    this.#leader = {
      record: { nodeId: this.nodeId, incarnation: this.#incarnation },
      revision,
      seenAt: now,
    };
    this.#after(this.timing.leaseTtlMs - this.timing.marginMs, () => this.#checkLeadership());
    const elected: DomainEvent = {
      type: "LeaderElected",
      at: isoNow(this.#clock),
      nodeId: this.nodeId,
      term: revision,
    };
    this.#publish(elected);
    this.#record([elected]);
    this.#logger.info({ term: revision }, "elected leader");
    this.#leaderDuty();
  }

  async #renewLease(): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    if (!this.#checkLeadership()) return;
    const sentAt = this.#scheduler.now();
    const value = JSON.stringify({ nodeId: this.nodeId, incarnation: this.#incarnation, term });
    try {
      const revision = await this.#coordination.update(LEADER_KEY, value, this.#leaderRevision);
      if (this.#term !== term) return;
      this.#leaderRevision = revision;
      this.#leaderRenewedAt = sentAt;
      this.#after(this.timing.leaseTtlMs - this.timing.marginMs, () => this.#checkLeadership());
    } catch (error) {
      if (!isCoordinationConflict(error)) {
        this.#logger.warn({ err: error }, "lease renewal failed; the lease runs on");
        return;
      }
      const current = await this.#coordination.get(LEADER_KEY).catch(() => undefined);
      const record = parseRecord(leaderRecord, current?.value);
      if (
        current !== undefined &&
        record !== undefined &&
        this.#isMine(record) &&
        this.#term === term
      ) {
        this.#leaderRevision = current.revision;
        return;
      }
      this.#loseLeadership("superseded");
    }
  }

  /** Reports a lease that ran out by the clock; true while it is still held. */
  #checkLeadership(): boolean {
    if (this.#term === undefined) return false;
    if (this.isLeader()) return true;
    this.#loseLeadership("lease-expired");
    return false;
  }

  #loseLeadership(reason: string): void {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    this.#pendingFailures = [];
    this.#publish({
      type: "LeadershipLost",
      at: isoNow(this.#clock),
      nodeId: this.nodeId,
      term,
      reason,
    });
    this.#logger.info({ term, reason }, "leadership lost");
    this.#after(0, () => void this.#takeOver());
  }

  // ── The leader's duty: failures and the shard map ─────────────────────────────────────────

  #leaderDuty(): void {
    if (this.#term === undefined) return;
    if (this.#dutyRunning) {
      this.#dutyAgain = true;
      return;
    }
    this.#dutyRunning = true;
    void (async () => {
      try {
        do {
          this.#dutyAgain = false;
          await this.#leaderDutyOnce();
        } while (this.#dutyAgain && this.#term !== undefined);
      } catch (error) {
        this.#logger.warn({ err: error }, "leader duty failed; retrying at the next heartbeat");
      } finally {
        this.#dutyRunning = false;
      }
    })();
  }

  async #leaderDutyOnce(): Promise<void> {
    if (!this.#checkLeadership()) return;
    const term = this.#term!;
    const now = this.#scheduler.now();
    for (const member of [...this.#members.values()]) {
      if (member.record.nodeId === this.nodeId) continue;
      if (now - member.seenAt < this.timing.failureTimeoutMs) continue;
      // Deleting by revision first: a heartbeat that landed meanwhile makes this fail, and a node
      // whose key is gone can never renew its old lease.
      try {
        await this.#coordination.delete(memberKey(member.record.nodeId), member.revision);
      } catch (error) {
        if (!isCoordinationConflict(error)) throw error;
        // It changed after all, or it is gone and this view missed the delete.
        const current = await this.#coordination.get(memberKey(member.record.nodeId));
        if (
          current === undefined &&
          this.#members.get(member.record.nodeId)?.revision === member.revision
        ) {
          this.#members.delete(member.record.nodeId);
        } else if (current !== undefined) {
          this.#applyMember(current, this.#scheduler.now());
        }
        continue;
      }
      if (this.#members.get(member.record.nodeId)?.revision === member.revision) {
        this.#members.delete(member.record.nodeId);
      }
      this.#pendingFailures.push({
        nodeId: member.record.nodeId,
        lastSeen: new Date(member.timestamp).toISOString(),
      });
    }
    if (!this.isLeader() || this.#term !== term) return;
    // A member's claim written before the current map may not have reached this view yet (the map
    // came from this leader's own write or a direct read); planning without it could hand a
    // shard its claimant still serves to another node. The watch's delivery of the map re-runs
    // this duty.
    if (this.#watchedRevision < this.#mapRevision) return;
    const live = [...this.#members.values()].map((member) => ({
      nodeId: member.record.nodeId,
      leaving: member.record.leaving,
      claims: decodeShardSet(member.record.claims),
    }));
    const current = this.#map;
    const plan = planShardMap(current, live, this.shardCount);
    const memberIds = live.map((member) => member.nodeId).sort();
    const unchanged =
      current.term === term &&
      sameList(current.shards, plan.shards) &&
      sameList(current.from, plan.from) &&
      sameList(current.members, memberIds);
    if (unchanged) return;
    const next: ShardMapRecord = {
      version: current.version + 1,
      term,
      shards: plan.shards,
      from: plan.from,
      members: memberIds,
    };
    const expected = this.#mapRevision;
    let revision: number;
    try {
      revision =
        expected === 0
          ? await this.#coordination.create(MAP_KEY, JSON.stringify(next))
          : await this.#coordination.update(MAP_KEY, JSON.stringify(next), expected);
    } catch (error) {
      if (!isCoordinationConflict(error)) throw error;
      await this.#refreshMap();
      return;
    }
    if (revision > this.#mapRevision) {
      this.#map = next;
      this.#mapRevision = revision;
    }
    this.#logger.debug(
      { version: next.version, revision, expected, term, assigned: plan.assigned.length },
      "wrote the shard map",
    );
    this.#reportMapFacts(current, next, plan.assigned);
    this.#reconcile();
  }

  #reportMapFacts(
    previous: ShardMapRecord,
    next: ShardMapRecord,
    assigned: readonly { shardId: number; from: string | undefined; to: string }[],
  ): void {
    const at = isoNow(this.#clock);
    const facts: DomainEvent[] = [];
    const failed = new Map(this.#pendingFailures.map((failure) => [failure.nodeId, failure]));
    this.#pendingFailures = [];
    for (const nodeId of next.members) {
      if (!previous.members.includes(nodeId)) facts.push({ type: "NodeJoined", at, nodeId });
    }
    for (const nodeId of previous.members) {
      if (next.members.includes(nodeId)) continue;
      const failure = failed.get(nodeId);
      facts.push(
        failure === undefined
          ? { type: "NodeLeft", at, nodeId }
          : { type: "NodeFailed", at, nodeId, lastSeen: failure.lastSeen },
      );
    }
    for (const move of assigned) {
      facts.push({
        type: "ShardAssigned",
        at,
        shardId: move.shardId,
        nodeId: move.to,
        mapVersion: next.version,
      });
      if (move.from !== undefined && move.from !== move.to) {
        facts.push({
          type: "ShardMigrated",
          at,
          shardId: move.shardId,
          fromNodeId: move.from,
          toNodeId: move.to,
          mapVersion: next.version,
        });
      }
    }
    for (const fact of facts) this.#publish(fact);
    this.#record(facts);
  }

  /**
   * After a lost compare-and-set, reads the key itself: the watch may lag, or the key may be gone
   * with the bucket, and waiting for a change that never comes would stall the cluster.
   */
  async #refreshLeader(): Promise<void> {
    const entry = await this.#coordination.get(LEADER_KEY).catch(() => null);
    if (entry === null) return;
    if (entry === undefined) {
      if (this.#leader === undefined) return;
      this.#leader = undefined;
      this.#after(0, () => void this.#takeOver());
    } else if (this.#leader === undefined || entry.revision > this.#leader.revision) {
      this.#applyLeader(entry, this.#scheduler.now());
    }
  }

  /** Reads the map from the store into the view; true when there was one to read. */
  async #refreshMap(): Promise<boolean> {
    const entry = await this.#coordination.get(MAP_KEY).catch((error: unknown) => {
      this.#logger.debug({ err: error }, "could not read the shard map");
      return null;
    });
    if (entry === null) return false;
    const before = this.#mapRevision;
    if (entry === undefined) this.#mapRevision = 0;
    else this.#applyMap(entry);
    if (this.#mapRevision !== before) this.#dutyAgain = true;
    return entry !== undefined;
  }

  // ── Serving shards ────────────────────────────────────────────────────────────────────────

  /**
   * Brings what this node serves in line with the map and its own lease: stops first (each
   * drained before its claim is dropped), claims before starting, so its member entry always
   * lists at least what it serves and the leader never hands a claimed shard to anyone else.
   */
  #reconcile(): void {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return;
    }
    this.#reconciling = true;
    void (async () => {
      try {
        do {
          this.#reconcileAgain = false;
          await this.#reconcileOnce();
        } while (this.#reconcileAgain && this.#state !== "closed");
      } catch (error) {
        this.#logger.warn(
          { err: error },
          "shard reconciliation failed; retrying at the next heartbeat",
        );
      } finally {
        this.#reconciling = false;
      }
    })();
  }

  #desiredShards(): Set<number> {
    const desired = new Set<number>();
    if (this.#state === "closed" || !this.#memberLeaseValid()) return desired;
    if (this.#state === "leaving") {
      const others = [...this.#members.values()].some(
        (member) => member.record.nodeId !== this.nodeId && !member.record.leaving,
      );
      if (!others) return desired;
    }
    this.#map.shards.forEach((owner, shardId) => {
      if (owner === this.nodeId) desired.add(shardId);
    });
    return desired;
  }

  #stopReason(): ShardStopReason {
    if (this.#state === "closed") return "closed";
    if (!this.#memberLeaseValid()) return "lease-lapsed";
    return this.#state === "leaving" ? "leaving" : "moved";
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#state === "closed") return;
    const desired = this.#desiredShards();
    for (const [shardId, state] of this.#serving) {
      if (state === "serving" && !desired.has(shardId)) {
        void this.#stopShard(shardId, this.#stopReason()).then(() => this.#reconcile());
      }
    }
    const starting = [...desired].filter((shardId) => !this.#serving.has(shardId));
    this.#claims = new Set([...this.#serving.keys(), ...starting]);
    if (!sameSet(this.#claims, this.#reportedClaims) && !this.#memberLost) {
      await this.#writeMember();
    }
    // The map this node saw may already be superseded: a leader that took a shard back before
    // the claim landed may not know of the claim and give the shard to another node. Read
    // after the claim: a map that still says so was written before any later one, whose leader
    // then sees the claim.
    if (starting.length > 0 && !(await this.#refreshMap())) return;
    const now = this.#desiredShards();
    for (const shardId of starting) {
      if (!now.has(shardId) || this.#serving.has(shardId) || !this.#reportedClaims.has(shardId))
        continue;
      this.#serving.set(shardId, "serving");
      for (const listener of this.#listeners) await this.#callStarted(listener, shardId);
    }
    if (this.#state === "leaving" && this.#serving.size === 0 && this.#desiredShards().size === 0) {
      this.#leaveDone?.();
    }
  }

  async #stopShard(shardId: number, reason: ShardStopReason): Promise<void> {
    if (this.#serving.get(shardId) !== "serving") return;
    this.#serving.set(shardId, "stopping");
    const drained = Promise.all(
      [...this.#listeners].map(async (listener) => {
        try {
          await listener.shardStopping?.(shardId, reason);
        } catch (error) {
          this.#logger.error(
            { err: error, shardId },
            "shardStopping threw; releasing the shard anyway",
          );
        }
      }),
    );
    let timedOut = false;
    await Promise.race([
      drained,
      new Promise<void>((resolve) =>
        this.#afterAlways(this.timing.drainTimeoutMs, () => {
          timedOut = true;
          resolve();
        }),
      ),
    ]);
    if (timedOut) this.#logger.warn({ shardId }, "shard drain timed out; releasing the shard");
    this.#serving.delete(shardId);
  }

  async #callStarted(listener: ShardLifecycleListener, shardId: number): Promise<void> {
    try {
      await listener.shardStarted?.(shardId);
    } catch (error) {
      this.#logger.error({ err: error, shardId }, "shardStarted threw");
    }
  }

  // ── Plumbing ──────────────────────────────────────────────────────────────────────────────

  #publish(event: DomainEvent): void {
    this.#publisher.publishDomainEvent(event);
  }

  #record(facts: DomainEvent[]): void {
    if (this.#history === undefined || facts.length === 0) return;
    void this.#history.append(facts, () => this.isLeader());
  }

  /** A timer that dies with the node. */
  #after(ms: number, callback: () => void): void {
    if (this.#state === "closed") return;
    this.#afterAlways(ms, callback);
  }

  #afterAlways(ms: number, callback: () => void): void {
    const cancel = this.#scheduler.schedule(ms, () => {
      this.#timers.delete(cancel);
      callback();
    });
    this.#timers.add(cancel);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#afterAlways(ms, resolve));
  }

  #shutDown(): void {
    this.#state = "closed";
    const watch = this.#watch;
    this.#watch = undefined;
    watch?.stop();
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#leaveDone?.();
  }
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}
