import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import { InMemoryEventStore } from "@aether/event-sourcing";
import { AetherError, isAetherError } from "@aether/kernel";
import type { Coordination } from "@aether/cluster";
import { describe, expect, it } from "vitest";
import { TestCluster } from "./support/testCluster.js";

const SHARDS = 16;
const all = Array.from({ length: SHARDS }, (_, shard) => shard);

describe("ClusterNode", () => {
  it("a lone node elects itself, takes every shard and reports each fact once", async () => {
    const cluster = new TestCluster();
    const node = await cluster.start("a", { shardCount: SHARDS });
    await cluster.run(2_000);
    expect(node.isLeader()).toBe(true);
    expect(node.getLeader()).toEqual({ nodeId: "a", term: expect.any(Number) });
    expect(all.every((shard) => node.ownsShard(shard))).toBe(true);
    expect(node.ownerOf("acc-1")).toBe("a");
    expect(node.getShardAssignments()).toMatchObject({
      version: expect.any(Number),
      shards: all.map(() => "a"),
    });
    expect(cluster.events.ofType("LeaderElected")).toHaveLength(1);
    expect(cluster.events.ofType("NodeJoined").map((e) => e.nodeId)).toEqual(["a"]);
    expect(cluster.events.ofType("ShardAssigned")).toHaveLength(SHARDS);
    expect(cluster.lifecycle.filter((r) => r.what === "started")).toHaveLength(SHARDS);
    const topology = node.getClusterTopology();
    expect(topology).toMatchObject({ nodeId: "a", shardCount: SHARDS, leader: { nodeId: "a" } });
    expect(topology.nodes).toEqual([
      expect.objectContaining({ nodeId: "a", status: "up", isLeader: true, shards: all }),
    ]);
    await node.close();
  });

  it("a join moves shards by planned handover: the old owner drains and stops before the new one starts", async () => {
    const cluster = new TestCluster();
    cluster.drainMs = 300;
    const a = await cluster.start("a", { shardCount: SHARDS });
    await cluster.run(2_000);
    const b = await cluster.start("b", { shardCount: SHARDS });
    await cluster.scheduler.advanceUntil(
      () =>
        all.every((s) => cluster.owners([a, b], SHARDS)[s]!.length === 1) &&
        all.some((s) => b.ownsShard(s)),
      10_000,
    );
    const moved = cluster.events.ofType("ShardMigrated");
    expect(moved.length).toBeGreaterThan(0);
    for (const move of moved) {
      expect(move).toMatchObject({ fromNodeId: "a", toNodeId: "b" });
      const stopped = cluster.lifecycle.find(
        (r) => r.nodeId === "a" && r.shardId === move.shardId && r.what === "stopped",
      );
      const started = cluster.lifecycle.find(
        (r) => r.nodeId === "b" && r.shardId === move.shardId && r.what === "started",
      );
      expect(stopped?.reason).toBe("moved");
      expect(started!.at).toBeGreaterThanOrEqual(stopped!.at);
      expect(
        started!.at -
          cluster.lifecycle.find(
            (r) => r.nodeId === "a" && r.shardId === move.shardId && r.what === "stopping",
          )!.at,
      ).toBeGreaterThanOrEqual(300);
    }
    expect(cluster.events.ofType("NodeJoined").map((e) => e.nodeId)).toEqual(["a", "b"]);
    expect(a.getShardAssignments()).toEqual(b.getShardAssignments());
    await cluster.during(Promise.all([a.close(), b.close()]));
  });

  it("after a crash, the new owner starts only once the failed node's own lease must have lapsed", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    const b = await cluster.start("b", { shardCount: SHARDS });
    await cluster.run(5_000);
    const victim = a.isLeader() ? b : a;
    const survivor = victim === a ? b : a;
    const victimShards = all.filter((s) => victim.ownsShard(s));
    expect(victimShards.length).toBeGreaterThan(0);
    const crashedAt = cluster.scheduler.now();
    cluster.processes.get(victim.nodeId)!.crashed = true;
    await cluster.scheduler.advanceUntil(
      () => victimShards.every((s) => survivor.ownsShard(s)),
      10_000,
    );
    const { heartbeatMs, failureTimeoutMs } = survivor.timing;
    for (const shard of victimShards) {
      const started = cluster.lifecycle.find(
        (r) =>
          r.nodeId === survivor.nodeId &&
          r.shardId === shard &&
          r.what === "started" &&
          r.at >= crashedAt,
      );
      // The victim's last heartbeat was sent at most heartbeatMs before the crash.
      expect(started!.at).toBeGreaterThanOrEqual(crashedAt - heartbeatMs + failureTimeoutMs);
    }
    expect(cluster.events.ofType("NodeFailed").map((e) => e.nodeId)).toEqual([victim.nodeId]);
    expect(survivor.getClusterTopology().nodes.map((n) => n.nodeId)).toEqual([survivor.nodeId]);
    await survivor.close();
  });

  it("a paused leader answers isLeader() false the moment it wakes, before any timer ran, and never acts on its old term", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    await cluster.run(2_000);
    const b = await cluster.start("b", { shardCount: SHARDS });
    await cluster.run(5_000);
    expect(a.isLeader()).toBe(true);
    const oldTerm = a.getLeader()!.term;
    const aShards = all.filter((s) => a.ownsShard(s));
    const pausedA = cluster.processes.get("a")!;
    pausedA.paused = true;
    await cluster.scheduler.advanceUntil(() => b.isLeader(), 10_000);
    await cluster.run(3_000);
    // What the woken process sees first, before its deferred timers run.
    let sawLeader: boolean | undefined;
    let sawOwned: number | undefined;
    pausedA.onResume = () => {
      sawLeader = a.isLeader();
      sawOwned = all.filter((s) => a.ownsShard(s)).length;
    };
    pausedA.resume();
    expect(sawLeader).toBe(false);
    expect(sawOwned).toBe(0);
    await cluster.run(5_000);
    expect(b.getLeader()!.term).toBeGreaterThan(oldTerm);
    const lost = cluster.events.ofType("LeadershipLost");
    expect(lost).toEqual([expect.objectContaining({ nodeId: "a", term: oldTerm })]);
    expect(aShards.every((s) => cluster.owners([a, b], SHARDS)[s]!.length === 1)).toBe(true);
    await a.close();
    await b.close();
  });

  it("with the default margin, a cut-off leader on a slow clock stops before a challenger on a fast clock takes over", async () => {
    // The negative control shows the scenario bites: with almost no margin, two leaders act at once.
    const overlapMs = async (marginMs?: number): Promise<number> => {
      const cluster = new TestCluster();
      const timing = marginMs === undefined ? {} : { marginMs };
      const a = await cluster.start("a", { shardCount: SHARDS, timing }, 0.96);
      await cluster.run(2_000);
      const b = await cluster.start("b", { shardCount: SHARDS, timing }, 1.04);
      await cluster.run(3_000);
      expect(a.isLeader()).toBe(true);
      cluster.processes.get("a")!.stallIo();
      let overlap = 0;
      for (let step = 0; step < 400; step++) {
        await cluster.run(10);
        if (a.isLeader() && b.isLeader()) overlap += 10;
      }
      expect(b.isLeader()).toBe(true);
      expect(a.isLeader()).toBe(false);
      cluster.processes.get("a")!.resumeIo();
      await cluster.run(1_000);
      await Promise.all([a.close(), b.close()]);
      return overlap;
    };
    expect(await overlapMs()).toBe(0);
    expect(await overlapMs(1)).toBeGreaterThan(0);
  });

  it("leave() hands every shard over, publishes NodeLeft once, and the last node reports its own departure", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    const b = await cluster.start("b", { shardCount: SHARDS });
    await cluster.run(5_000);
    const aShards = all.filter((s) => a.ownsShard(s));
    const leftAt = cluster.scheduler.now();
    await cluster.during(a.leave());
    await cluster.scheduler.advanceUntil(() => all.every((s) => b.ownsShard(s)), 5_000);
    const stops = cluster.lifecycle.filter(
      (r) => r.nodeId === "a" && r.what === "stopping" && r.at >= leftAt,
    );
    expect(stops.map((r) => r.shardId).sort((x, y) => x - y)).toEqual(aShards);
    expect(stops.every((r) => r.reason === "leaving")).toBe(true);
    await cluster.run(3_000);
    expect(b.isLeader()).toBe(true);
    expect(cluster.events.ofType("NodeLeft").map((e) => e.nodeId)).toEqual(["a"]);
    expect(cluster.events.ofType("NodeFailed")).toEqual([]);
    await cluster.during(b.leave());
    expect(cluster.events.ofType("NodeLeft").map((e) => e.nodeId)).toEqual(["a", "b"]);
    expect(await cluster.coordination.keys("members.")).toEqual([]);
  });

  it("close() stops shards with reason closed and the others see a failure", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    const b = await cluster.start("b", { shardCount: SHARDS });
    await cluster.run(5_000);
    const aShards = all.filter((s) => a.ownsShard(s));
    const closedAt = cluster.scheduler.now();
    await a.close();
    expect(all.some((s) => a.ownsShard(s))).toBe(false);
    const stops = cluster.lifecycle.filter(
      (r) => r.nodeId === "a" && r.what === "stopping" && r.at >= closedAt,
    );
    expect(stops.map((r) => r.shardId).sort((x, y) => x - y)).toEqual(aShards);
    expect(stops.every((r) => r.reason === "closed")).toBe(true);
    await cluster.scheduler.advanceUntil(() => all.every((s) => b.ownsShard(s)), 10_000);
    expect(cluster.events.ofType("NodeFailed").map((e) => e.nodeId)).toEqual(["a"]);
    await b.close();
  });

  it("refuses a node with another shardCount and a duplicate live node id", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    const firstA = cluster.processes.get("a")!;
    await expect(cluster.start("b", { shardCount: 32 })).rejects.toSatisfy(
      (error: unknown) =>
        isAetherError(error, "SHARD_COUNT_MISMATCH") && /32.*16/.test((error as Error).message),
    );
    await expect(cluster.start("a", { shardCount: SHARDS })).rejects.toSatisfy(
      (error: unknown) =>
        isAetherError(error, "DUPLICATE_NODE_ID") && (error as Error).message.includes('"a"'),
    );
    firstA.crashed = true;
    const again = await cluster.start("a", { shardCount: SHARDS });
    await cluster.scheduler.advanceUntil(
      () => again.isLeader() && all.every((s) => again.ownsShard(s)),
      15_000,
    );
    await again.close();
    await a.close();
  });

  it("start() rides out a store that answers nothing for longer than a few failure timeouts", async () => {
    // NATS electing a new meta leader after a server died can keep `keys` failing for 10 s and more.
    const cluster = new TestCluster();
    const unavailableUntil = 15_000;
    const flaky = keysFailingWhile(
      cluster.coordination,
      () => cluster.scheduler.now() < unavailableUntil,
    );
    const node = await cluster.start("a", { shardCount: SHARDS, coordination: flaky });
    expect(cluster.scheduler.now()).toBeGreaterThanOrEqual(unavailableUntil);
    await cluster.run(3_000);
    expect(node.isLeader()).toBe(true);
    await node.close();

    const impatient = new TestCluster();
    const failing = keysFailingWhile(impatient.coordination, () => true);
    await expect(
      impatient.start("b", { coordination: failing, startTimeoutMs: 5_000 }),
    ).rejects.toSatisfy((error: unknown) => isAetherError(error, "UNAVAILABLE"));
    expect(impatient.scheduler.now()).toBeLessThan(10_000);
  });

  it("a joiner whose view is slow to load keeps its membership meanwhile: not declared failed, each shard moved to it once", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    await cluster.scheduler.advanceUntil(() => all.every((s) => a.ownsShard(s)), 10_000);
    // Several failure timeouts during which the joiner's member key is visible but its view is not loaded.
    const slowUntil = cluster.scheduler.now() + 10_000;
    const slow = keysFailingWhile(cluster.coordination, () => cluster.scheduler.now() < slowUntil);
    const b = await cluster.start("b", { shardCount: SHARDS, coordination: slow });
    await cluster.scheduler.advanceUntil(
      () => all.some((s) => b.ownsShard(s)) && all.every((s) => a.ownsShard(s) !== b.ownsShard(s)),
      10_000,
    );
    expect(cluster.events.ofType("NodeFailed")).toEqual([]);
    expect(cluster.events.ofType("NodeJoined").map((e) => e.nodeId)).toEqual(["a", "b"]);
    const moved = cluster.events
      .ofType("ShardMigrated")
      .filter((e) => e.toNodeId === "b")
      .map((e) => e.shardId)
      .sort((x, y) => x - y);
    expect(moved).toEqual(all.filter((s) => b.ownsShard(s)));
    await b.close();
    await a.close();
  });

  it("rejects bad options with INVALID_ARGUMENT naming the option", async () => {
    const coordination = new InMemoryCoordination();
    for (const [options, pattern] of [
      [{ shardCount: 0 }, /shardCount/],
      [{ nodeId: "" }, /nodeId/],
      [{ timing: { heartbeatMs: 2_000 } }, /leaseTtlMs/],
      [{ timing: { heartbeatMs: -1 } }, /heartbeatMs/],
      [{ startTimeoutMs: Number.NaN }, /startTimeoutMs/],
    ] as const) {
      await expect(ClusterNode.start({ coordination, ...options })).rejects.toSatisfy(
        (error: unknown) =>
          isAetherError(error, "INVALID_ARGUMENT") && pattern.test((error as Error).message),
      );
    }
  });

  it("appends the leader's facts to the cluster actor; a deposed leader's append is refused", async () => {
    const cluster = new TestCluster();
    const history = new InMemoryEventStore();
    const a = await cluster.start("a", { shardCount: SHARDS, history });
    await cluster.run(3_000);
    const b = await cluster.start("b", { shardCount: SHARDS, history });
    await cluster.run(3_000);
    const events = await history.getEvents("cluster");
    expect(events.map((e) => e.eventType)).toContain("LeaderElected");
    expect(
      events
        .filter((e) => e.eventType === "NodeJoined")
        .map((e) => (e.data as { nodeId: string }).nodeId),
    ).toEqual(["a", "b"]);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // A zombie leader: paused past its lease while b takes over and appends.
    const leader = a.isLeader() ? a : b;
    const other = leader === a ? b : a;
    cluster.processes.get(leader.nodeId)!.paused = true;
    await cluster.scheduler.advanceUntil(() => other.isLeader(), 10_000);
    await cluster.run(5_000);
    cluster.processes.get(leader.nodeId)!.resume();
    await cluster.run(3_000);
    const after = await history.getEvents("cluster");
    const elections = after
      .filter((e) => e.eventType === "LeaderElected")
      .map((e) => (e.data as { term: number }).term);
    expect(elections).toEqual([...elections].sort((x, y) => x - y));
    expect(
      after
        .filter((e) => e.eventType === "NodeFailed")
        .map((e) => (e.data as { nodeId: string }).nodeId),
    ).toEqual([leader.nodeId]);
    await a.close();
    await b.close();
  });

  it("stops serving within its lease when the coordination store is lost, and keeps running", async () => {
    const cluster = new TestCluster();
    const a = await cluster.start("a", { shardCount: SHARDS });
    await cluster.run(3_000);
    expect(all.every((s) => a.ownsShard(s))).toBe(true);
    cluster.coordination.close();
    await cluster.run(a.timing.failureTimeoutMs);
    expect(all.some((s) => a.ownsShard(s))).toBe(false);
    expect(a.isLeader()).toBe(false);
    expect(
      cluster.lifecycle
        .filter((r) => r.what === "stopping")
        .every((r) => r.reason === "lease-lapsed"),
    ).toBe(true);
    await a.close();
  });
});

/** The store, except that `keys` fails as NATS does while it has no meta leader. */
function keysFailingWhile(store: Coordination, failing: () => boolean): Coordination {
  return {
    get: (key) => store.get(key),
    keys: (prefix) =>
      failing()
        ? Promise.reject(new AetherError("UNAVAILABLE", "keys: no meta leader yet"))
        : store.keys(prefix),
    watch: (options) => store.watch(options),
    create: (key, value) => store.create(key, value),
    update: (key, value, revision) => store.update(key, value, revision),
    delete: (key, revision) => store.delete(key, revision),
  };
}
