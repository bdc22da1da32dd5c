import { NatsCluster, waitFor } from "@aether/test-support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeProcess, overlaps } from "./support/nodeProcess.js";
import type { HeldInterval } from "./support/nodeProcess.js";

const SHARDS = 64;
let natsCluster: NatsCluster;
let started: NodeProcess[] = [];
let serial = 0;

beforeAll(async () => {
  natsCluster = await NatsCluster.start();
}, 90_000);
afterEach(async () => {
  await Promise.all(started.filter((p) => p.alive).map((p) => p.kill()));
  started = [];
});
afterAll(async () => {
  await natsCluster?.dispose();
});

function startNodes(clusterName: string, count: number, from = 0): NodeProcess[] {
  const urls = natsCluster.servers.filter((server) => server.running).map((server) => server.url);
  const nodes = Array.from({ length: count }, (_, i) => {
    // Each node first dials another server, so the racing writes come through different servers.
    const rotated = [
      ...urls.slice((from + i) % urls.length),
      ...urls.slice(0, (from + i) % urls.length),
    ];
    return new NodeProcess({
      urls: rotated,
      clusterName,
      nodeId: `node-${from + i + 1}`,
      replicas: 3,
      shardCount: SHARDS,
    });
  });
  started.push(...nodes);
  return nodes;
}

function converged(nodes: readonly NodeProcess[]): boolean {
  const leaders = nodes.filter((node) => node.latest?.leader === true);
  const owned = nodes.flatMap((node) => node.latest?.owned ?? []);
  return (
    leaders.length === 1 &&
    nodes.every((node) => (node.latest?.owned.length ?? 0) > 0) &&
    owned.length === SHARDS &&
    new Set(owned).size === SHARDS
  );
}

async function waitConverged(nodes: readonly NodeProcess[], what: string): Promise<void> {
  await waitFor(() => converged(nodes), {
    timeoutMs: 30_000,
    intervalMs: 50,
    description: `${what}: one leader and every shard served once by ${nodes.map((n) => n.nodeId).join(", ")}`,
  }).catch((error: unknown) => {
    const seen = nodes.map(
      (n) =>
        `${n.nodeId}: ${JSON.stringify(n.latest)} events ${n.events
          .slice(-8)
          .map((e) => e.type)
          .join(",")} ${n.stderr.slice(-500)}`,
    );
    throw new Error(`${String(error)}\n${seen.join("\n")}`);
  });
}

/** Safety over the whole run, on the shared wall clock: never two leaders, never a shard twice. */
function expectSafe(nodes: readonly NodeProcess[]): void {
  const leading = nodes.flatMap((node) => node.held((state) => state.leader));
  expect(overlaps(leading), "leaders overlapping").toEqual([]);
  for (let shard = 0; shard < SHARDS; shard++) {
    const serving: HeldInterval[] = nodes.flatMap((node) =>
      node.held((state) => state.owned.includes(shard)),
    );
    expect(overlaps(serving), `shard ${shard} served twice\n${timeline(nodes, shard)}`).toEqual([]);
  }
  const terms = nodes
    .flatMap((node) => node.events)
    .flatMap((event) => (event.type === "LeaderElected" ? [event.term] : []));
  expect(new Set(terms).size, "each term elected once").toBe(terms.length);
}

/** What each node did about `shard`, and the cluster's facts, in wall-clock order: the evidence when safety breaks. */
function timeline(nodes: readonly NodeProcess[], shard: number): string {
  const lines: { at: number; text: string }[] = [];
  for (const node of nodes) {
    let previous = "";
    for (const state of node.states) {
      const text = `leader=${state.leader} term=${state.term ?? "-"} map=${state.mapVersion} serves=${state.owned.includes(shard)}`;
      if (text === previous) continue;
      previous = text;
      lines.push({
        at: state.at,
        text: `${node.nodeId} ${text} (prev sample ${state.lastPrevAt})`,
      });
    }
    for (const event of node.events) {
      const about = "shardId" in event ? event.shardId === shard : true;
      if (about)
        lines.push({
          at: Date.parse(event.at),
          text: `${node.nodeId} published ${JSON.stringify(event)}`,
        });
    }
  }
  return lines
    .sort((a, b) => a.at - b.at)
    .map((line) => `${line.at} ${line.text}`)
    .join("\n");
}

function leaderOf(nodes: readonly NodeProcess[]): NodeProcess {
  const leader = nodes.find((node) => node.latest?.leader === true);
  if (leader === undefined) throw new Error("no leader");
  return leader;
}

describe("cluster nodes as separate OS processes on a 3-node NATS cluster (R3 bucket)", () => {
  it(
    "race for the first lease, then survive kill -9 of the leader: a new leader, its shards reassigned, no orphan",
    { timeout: 90_000 },
    async () => {
      const nodes = startNodes(`mp-kill-${++serial}-${Date.now().toString(36)}`, 3);
      await Promise.all(nodes.map((node) => node.waitReady()));
      await waitConverged(nodes, "start");
      const leader = leaderOf(nodes);
      const oldTerm = leader.latest!.term!;
      const leaderShards = leader.latest!.owned;
      await leader.kill();
      const survivors = nodes.filter((node) => node !== leader);
      await waitConverged(survivors, "after kill -9 of the leader");
      const next = leaderOf(survivors);
      expect(next.latest!.term).toBeGreaterThan(oldTerm);
      await waitFor(
        () =>
          survivors.some((node) =>
            node.events.some((e) => e.type === "NodeFailed" && e.nodeId === leader.nodeId),
          ),
        {
          timeoutMs: 10_000,
          description: "NodeFailed for the killed leader",
        },
      );
      const served = survivors.flatMap((node) => node.latest!.owned);
      for (const shard of leaderShards) expect(served).toContain(shard);
      expectSafe(nodes);
    },
  );

  it(
    "a leader SIGSTOPped past its lease never acts under its old term after SIGCONT, nor serves shards it lost",
    { timeout: 90_000 },
    async () => {
      const nodes = startNodes(`mp-stop-${++serial}-${Date.now().toString(36)}`, 3);
      await Promise.all(nodes.map((node) => node.waitReady()));
      await waitConverged(nodes, "start");
      const zombie = leaderOf(nodes);
      const oldTerm = zombie.latest!.term!;
      await zombie.pause();
      const others = nodes.filter((node) => node !== zombie);
      await waitConverged(others, "while the leader is stopped");
      // Past the failure timeout too, so its membership is gone as well.
      await waitFor(
        () =>
          others.some((node) =>
            node.events.some((e) => e.type === "NodeFailed" && e.nodeId === zombie.nodeId),
          ),
        {
          timeoutMs: 15_000,
          description: "NodeFailed for the stopped leader",
        },
      );
      const resumedAt = Date.now();
      await zombie.resume();
      await waitConverged(nodes, "after SIGCONT (the node rejoins)");
      const after = zombie.states.filter((state) => state.at >= resumedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((state) => state.leader && state.term === oldTerm)).toEqual([]);
      expect(after[0]!.leader).toBe(false);
      expect(after[0]!.owned).toEqual([]);
      expectSafe(nodes);
    },
  );

  it(
    "keeps working through kill -9 of one NATS server, a graceful leave and a join",
    { timeout: 120_000 },
    async () => {
      const clusterName = `mp-ops-${++serial}-${Date.now().toString(36)}`;
      const nodes = startNodes(clusterName, 3);
      await Promise.all(nodes.map((node) => node.waitReady()));
      await waitConverged(nodes, "start");
      await natsCluster.server(2).kill();
      const killedAt = Date.now();
      // Still one leader and every shard served, several heartbeats after a NATS server died.
      await waitFor(() => Date.now() - killedAt > 5_000 && converged(nodes), {
        timeoutMs: 30_000,
        description: "converged 5 s after one NATS server died",
      });

      const leaver = nodes.find((node) => node.latest?.leader !== true)!;
      const leaverShards = leaver.latest!.owned;
      expect(await leaver.leave()).toBe(0);
      expect(leaver.left).toBe(true);
      const remaining = nodes.filter((node) => node !== leaver);
      await waitConverged(remaining, "after a graceful leave");
      const served = remaining.flatMap((node) => node.latest!.owned);
      for (const shard of leaverShards) expect(served).toContain(shard);
      await waitFor(
        () =>
          remaining.some((n) =>
            n.events.some((e) => e.type === "NodeLeft" && e.nodeId === leaver.nodeId),
          ),
        { timeoutMs: 10_000, description: "NodeLeft" },
      );

      const [joiner] = startNodes(clusterName, 1, 3);
      await joiner!.waitReady();
      await waitConverged([...remaining, joiner!], "after a join");
      await waitFor(
        () =>
          remaining.some((n) =>
            n.events.some((e) => e.type === "NodeJoined" && e.nodeId === joiner!.nodeId),
          ),
        { timeoutMs: 10_000, description: "NodeJoined" },
      );
      const migrated = remaining
        .flatMap((n) => n.events.map((event) => ({ ...event, publishedBy: n.nodeId })))
        .filter((e) => e.type === "ShardMigrated" && e.toNodeId === joiner!.nodeId);
      // Each fact once per cluster: every shard the joiner serves arrived by one reported migration.
      expect(
        migrated.map((e) => (e.type === "ShardMigrated" ? e.shardId : -1)).sort((a, b) => a - b),
        `${JSON.stringify(migrated)}\n${timeline([...nodes, joiner!], migrated[0]?.type === "ShardMigrated" ? migrated[0].shardId : 0)}`,
      ).toEqual([...joiner!.latest!.owned].sort((a, b) => a - b));
      expectSafe([...nodes, joiner!]);
    },
  );
});
