import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ClusterNode, InMemoryCoordination, defaultClusterTiming } from "@aether/cluster";
import { DomainEventRecorder } from "@aether/kernel";
import type { DomainEvent } from "@aether/kernel";
import { NatsServer, waitFor } from "@aether/test-support";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { progress } from "../harness.js";

const RUNS = 10;
const SHARDS = 64;
const script = fileURLToPath(new URL("../clusterNodeProcess.ts", import.meta.url));
const benchDir = fileURLToPath(new URL("../..", import.meta.url));

class BenchNode {
  readonly events: { at: number; event: DomainEvent }[] = [];
  owned: number[] = [];
  leader = false;
  ops: { at: number; count: number }[] = [];
  ready = false;
  readonly child: ChildProcessWithoutNullStreams;
  #buffer = "";

  constructor(
    url: string,
    clusterName: string,
    readonly nodeId: string,
  ) {
    this.child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@aether/source",
        script,
        url,
        clusterName,
        nodeId,
        String(SHARDS),
      ],
      {
        cwd: benchDir,
        stdio: "pipe",
      },
    );
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.#buffer += chunk;
      let newline: number;
      while ((newline = this.#buffer.indexOf("\n")) >= 0) {
        const line = JSON.parse(this.#buffer.slice(0, newline)) as Record<string, unknown>;
        this.#buffer = this.#buffer.slice(newline + 1);
        const at = Date.now();
        if (line["kind"] === "ready") this.ready = true;
        else if (line["kind"] === "event")
          this.events.push({ at, event: line["event"] as DomainEvent });
        else if (line["kind"] === "ops") this.ops.push({ at, count: line["count"] as number });
        else if (line["kind"] === "state") {
          this.owned = line["owned"] as number[];
          this.leader = line["leader"] as boolean;
        }
      }
    });
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? Number.NaN
  );
}

const converged = (nodes: BenchNode[]): boolean => {
  const owned = nodes.flatMap((n) => n.owned);
  return (
    nodes.filter((n) => n.leader).length === 1 &&
    owned.length === SHARDS &&
    new Set(owned).size === SHARDS
  );
};

/** One run: 3 processes; kill -9 of the leader (failover), then of a non-leader (recovery); KV ops at rest before. */
async function run(
  url: string,
  index: number,
): Promise<{ failoverMs: number; recoveryMs: number; opsPerNodePerSec: number }> {
  const clusterName = `bench-${process.pid}-${index}`;
  const nodes = ["a", "b", "c"].map((id) => new BenchNode(url, clusterName, `${id}${index}`));
  try {
    await waitFor(() => nodes.every((n) => n.ready) && converged(nodes), {
      timeoutMs: 60_000,
      description: "3 nodes converged",
    });
    // At rest: ops over the next 4 one-second reports of each node.
    const from = nodes.map((n) => n.ops.length);
    await waitFor(() => nodes.every((n, i) => n.ops.length >= from[i]! + 5), {
      timeoutMs: 20_000,
      description: "ops reports",
    });
    const rates = nodes.map((n, i) => {
      const first = n.ops[from[i]!]!;
      const last = n.ops[from[i]! + 4]!;
      return ((last.count - first.count) * 1000) / (last.at - first.at);
    });

    const leader = nodes.find((n) => n.leader)!;
    const killedAt = Date.now();
    leader.kill();
    const others = nodes.filter((n) => n !== leader);
    const elected = await waitFor(
      () =>
        others
          .flatMap((n) => n.events)
          .find((e) => e.at >= killedAt && e.event.type === "LeaderElected"),
      { timeoutMs: 30_000, intervalMs: 1, description: "a new leader" },
    );
    const failoverMs = elected.at - killedAt;
    await waitFor(() => converged(others), { timeoutMs: 30_000, description: "2 nodes converged" });

    const victim = others.find((n) => !n.leader)!;
    const survivor = others.find((n) => n.leader)!;
    const lost = victim.owned;
    const victimKilledAt = Date.now();
    victim.kill();
    await waitFor(() => lost.every((s) => survivor.owned.includes(s)), {
      timeoutMs: 30_000,
      intervalMs: 1,
      description: "shards served again",
    });
    const recoveryMs = Date.now() - victimKilledAt;
    return {
      failoverMs,
      recoveryMs,
      opsPerNodePerSec: rates.reduce((a, b) => a + b, 0) / rates.length,
    };
  } finally {
    for (const node of nodes) node.kill();
  }
}

/** Real in-process clusters: 3 nodes, then a 4th joins; the ShardMigrated events it causes, over the ideal. */
async function joinMovement(
  shards: number,
  trials: number,
): Promise<{ mean: number; p95: number; max: number }> {
  const ratios: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const coordination = new InMemoryCoordination();
    const events = new DomainEventRecorder();
    const start = (nodeId: string) =>
      ClusterNode.start({ coordination, nodeId, shardCount: shards, publisher: events });
    const nodes = [
      await start(`n${trial}-1`),
      await start(`n${trial}-2`),
      await start(`n${trial}-3`),
    ];
    const servedOnce = () =>
      Array.from({ length: shards }, (_, s) => s).every(
        (s) => nodes.filter((n) => n.ownsShard(s)).length === 1,
      );
    await waitFor(
      () =>
        servedOnce() &&
        nodes.every((n) => Array.from({ length: shards }, (_, s) => s).some((s) => n.ownsShard(s))),
      {
        timeoutMs: 10_000,
        intervalMs: 2,
        description: "3 in-process nodes converged",
      },
    );
    const before = events.ofType("ShardMigrated").length;
    const joiner = await start(`joiner-${trial}`);
    nodes.push(joiner);
    await waitFor(
      () =>
        servedOnce() &&
        Array.from({ length: shards }, (_, s) => s).some((s) => joiner.ownsShard(s)),
      {
        timeoutMs: 10_000,
        intervalMs: 2,
        description: "4 in-process nodes converged",
      },
    );
    ratios.push((events.ofType("ShardMigrated").length - before) / (shards / 4));
    await Promise.all(nodes.map((n) => n.close()));
  }
  return {
    mean: ratios.reduce((a, b) => a + b, 0) / ratios.length,
    p95: percentile(ratios, 95),
    max: Math.max(...ratios),
  };
}

export default async function clusterBench(): Promise<void> {
  const server = await NatsServer.start();
  try {
    // The floor: one compare-and-set on the same server, as a lease renewal or heartbeat does it.
    const nc = await connect({ servers: server.url });
    const kv = await new Kvm(nc).create(`bench-floor-${process.pid}`);
    let revision = await kv.put("k", "v");
    const casMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      revision = await kv.update("k", "v", revision);
      casMs.push(performance.now() - t0);
    }
    await nc.close();

    const results = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`cluster run ${i + 1}/${RUNS}`);
      results.push(await run(server.url, i));
    }
    const { leaseTtlMs, failureTimeoutMs, heartbeatMs } = defaultClusterTiming;
    const failover = results.map((r) => r.failoverMs);
    const recovery = results.map((r) => r.recoveryMs);
    const ops = results.map((r) => r.opsPerNodePerSec);
    const fmt = (v: number) => v.toFixed(0);
    const lines = [
      `\n### Cluster (3 node processes on one nats-server ${server.url.replace(/.*:/, "port ")}, ${SHARDS} shards, ${RUNS} runs, default timing: heartbeat ${heartbeatMs} ms, lease TTL ${leaseTtlMs} ms, failure timeout ${failureTimeoutMs} ms)\n`,
      "| measure | p50 | p95 | floor (same run) | p95 / floor | aim |",
      "| --- | ---: | ---: | --- | ---: | --- |",
      `| failover: kill -9 leader → LeaderElected elsewhere (ms) | ${fmt(percentile(failover, 50))} | ${fmt(percentile(failover, 95))} | lease TTL ${leaseTtlMs} ms | ${(percentile(failover, 95) / leaseTtlMs).toFixed(2)} | ≤ 3000 ms |`,
      `| recovery: kill -9 non-leader → its shards served again (ms) | ${fmt(percentile(recovery, 50))} | ${fmt(percentile(recovery, 95))} | failure timeout ${failureTimeoutMs} ms | ${(percentile(recovery, 95) / failureTimeoutMs).toFixed(2)} | ≤ 5000 ms |`,
      `| KV operations per node per second at rest | ${percentile(ops, 50).toFixed(2)} | ${percentile(ops, 95).toFixed(2)} | 1 heartbeat/s = 1.00 | ${(percentile(ops, 95) / (1000 / heartbeatMs)).toFixed(2)} | ≤ 5 |`,
      `| one KV compare-and-set round trip (ms) | ${percentile(casMs, 50).toFixed(2)} | ${percentile(casMs, 95).toFixed(2)} | | | |`,
    ];
    progress("cluster: shard movement on join");
    const movement = [];
    for (const shards of [1024, 64]) movement.push({ shards, ...(await joinMovement(shards, 30)) });
    lines.push(
      "\n| ShardMigrated when a 4th node joins 3 (30 in-process clusters each), as a multiple of the ideal shardCount/4 | mean | p95 | max | aim |",
      "| --- | ---: | ---: | ---: | --- |",
      ...movement.map(
        (m) =>
          `| ${m.shards} shards | ${m.mean.toFixed(2)} | ${m.p95.toFixed(2)} | ${m.max.toFixed(2)} | ${m.shards === 1024 ? "≤ 1.25" : "mean ≈ 1"} |`,
      ),
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await server.dispose();
  }
}
