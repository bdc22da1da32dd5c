// ActorHost (issue 10): three node processes on one nats-server, commands to a cached actor on its
// owner and routed through a non-owner, and cluster-wide with 1,000 actors, each beside the
// hand-written floor measured in the same run: one NATS request/reply to the shard's owner plus
// one js.publish with the OCC header per command.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NatsServer, uniqueName } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { progress, type BenchResult } from "../harness.js";
import { SHARDS, type ControlRequest, type RunReply, type RunRequest } from "./actorHostShared.js";

const NODES = 3;
const ROUNDS = 5;
const SEQUENTIAL = 2_000;
const CLUSTER_ACTORS = 1_000;
const PER_NODE = 6_000;
const CONCURRENCY = 64;

const nodeScript = fileURLToPath(new URL("./actorHostNode.ts", import.meta.url));
const benchDir = fileURLToPath(new URL("../..", import.meta.url));

function startNode(args: string[]): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@aether/source", nodeScript, ...args],
    { cwd: benchDir, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`bench node exited with ${code}`)));
  });
  return { child, ready };
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function toResult(name: string, replies: RunReply[]): BenchResult {
  const ops = replies.reduce((sum, r) => sum + r.ops, 0);
  const ms = Math.max(...replies.map((r) => r.ms));
  const latencies = replies.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return {
    name,
    ops,
    ms,
    opsPerSec: (ops / ms) * 1000,
    ...(p50 === undefined ? {} : { p50Ms: p50 }),
    ...(p99 === undefined ? {} : { p99Ms: p99 }),
  };
}

async function control<T>(
  nc: NatsConnection,
  prefix: string,
  node: number,
  request: ControlRequest,
) {
  const reply = await nc.request(`${prefix}.ctl.${node}`, JSON.stringify(request), {
    timeout: 10_000,
  });
  return reply.json<T>();
}

async function run(
  nc: NatsConnection,
  prefix: string,
  runs: { node: number; request: RunRequest }[],
): Promise<RunReply[]> {
  return Promise.all(
    runs.map(async ({ node, request }) => {
      const reply = await nc.request(`${prefix}.ctl.${node}`, JSON.stringify(request), {
        timeout: 300_000,
      });
      const body = reply.json<RunReply & { error?: string }>();
      if (body.error !== undefined) throw new Error(`node ${node}: ${body.error}`);
      return body;
    }),
  );
}

function median(results: BenchResult[], key: (r: BenchResult) => number): BenchResult {
  return [...results].sort((a, b) => key(a) - key(b))[Math.floor(results.length / 2)]!;
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(3));

export default async function bench(): Promise<void> {
  const server = await NatsServer.start();
  const children: ChildProcess[] = [];
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  try {
    const prefix = uniqueName("actors");
    const namespace = uniqueName("bench");
    const floorStream = uniqueName("FLOOR").replaceAll("-", "_");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: floorStream,
      subjects: [`${floorStream}.*`],
      storage: "file",
      num_replicas: 1,
      duplicate_window: 120_000_000_000,
      deny_delete: true,
      deny_purge: true,
      allow_direct: true,
    } as never);
    const clusterName = uniqueName("bench");
    for (let i = 0; i < NODES; i++) {
      const node = startNode([server.url, String(i), clusterName, namespace, prefix, floorStream]);
      children.push(node.child);
      await node.ready;
    }
    // Measure on a settled map: every shard served by exactly one node.
    const status = () =>
      Promise.all(
        Array.from({ length: NODES }, (_, node) =>
          control<{ served: number[]; ownerOf: string }>(nc, prefix, node, {
            op: "status",
            actorId: "hot",
          }),
        ),
      );
    for (;;) {
      const served = (await status()).flatMap((s) => s.served);
      if (served.length === SHARDS && new Set(served).size === SHARDS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let node = 0; node < NODES; node++) await control(nc, prefix, node, { op: "serveFloor" });
    progress(`actor host: ${NODES} node processes up, shard map settled`);
    const hotOwner = Number((await status())[0]!.ownerOf.replace("node-", ""));
    const nonOwner = (hotOwner + 1) % NODES;
    const hot = "hot";
    const floorHot = "hot";
    const sequential = (node: number, op: RunRequest["op"], actor: string) => ({
      node,
      request: { op, actors: [actor], count: SEQUENTIAL, concurrency: 1 },
    });
    const actors = Array.from({ length: CLUSTER_ACTORS }, (_, i) => `acc-${i}`);
    const everyNode = (op: RunRequest["op"]) =>
      Array.from({ length: NODES }, (_, node) => ({
        node,
        request: { op, actors, count: PER_NODE, concurrency: CONCURRENCY },
      }));

    const cases = [
      {
        name: "cached actor, sent on its owner (sequential)",
        aether: () => run(nc, prefix, [sequential(hotOwner, "aether", hot)]),
        floor: () => run(nc, prefix, [sequential(nonOwner, "floor", floorHot)]),
        aim: ">= 0.8x",
        latency: true,
      },
      {
        name: "cached actor, routed through a non-owner (sequential)",
        aether: () => run(nc, prefix, [sequential(nonOwner, "aether", hot)]),
        floor: () => run(nc, prefix, [sequential(nonOwner, "floor", floorHot)]),
        aim: ">= 0.5x",
        latency: true,
      },
      {
        name: `cluster-wide, ${CLUSTER_ACTORS} actors, ${NODES} nodes × ${CONCURRENCY} in flight, round-robin`,
        aether: () => run(nc, prefix, everyNode("aether")),
        floor: () => run(nc, prefix, everyNode("floor")),
        aim: ">= 10,000 commands/s",
        latency: false,
      },
    ];
    const lines = [
      `\n### ActorHost: commands through ${NODES} node processes on one nats-server (median of ${ROUNDS} rounds)\n`,
      "| case | Aether cmd/s | p50 ms | p99 ms | floor cmd/s | floor p50 ms | floor p99 ms | ratio | aim |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ];
    for (const c of cases) {
      progress(`actor host: ${c.name}`);
      await c.aether();
      await c.floor();
      const aether: BenchResult[] = [];
      const floor: BenchResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const first = round % 2 === 0 ? c.aether : c.floor;
        const second = round % 2 === 0 ? c.floor : c.aether;
        const a = await first();
        const b = await second();
        (round % 2 === 0 ? aether : floor).push(toResult("aether", a));
        (round % 2 === 0 ? floor : aether).push(toResult("floor", b));
      }
      const key = c.latency ? (r: BenchResult) => -r.p50Ms! : (r: BenchResult) => r.opsPerSec;
      const a = median(aether, key);
      const f = median(floor, key);
      lines.push(
        `| ${c.name} | ${number.format(a.opsPerSec)} | ${ms(a.p50Ms)} | ${ms(a.p99Ms)} | ${number.format(f.opsPerSec)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${(a.opsPerSec / f.opsPerSec).toFixed(2)}x | ${c.aim} |`,
      );
    }
    const stats = await Promise.all(
      Array.from({ length: NODES }, (_, node) =>
        control<{ cacheHits: number; cacheMisses: number }>(nc, prefix, node, { op: "stats" }),
      ),
    );
    const hits = stats.reduce((sum, s) => sum + s.cacheHits, 0);
    const misses = stats.reduce((sum, s) => sum + s.cacheMisses, 0);
    lines.push(
      "",
      `Cache hit rate over the run: ${((hits / (hits + misses)) * 100).toFixed(2)}% (${number.format(hits)} hits, ${number.format(misses)} misses; ${SHARDS} shards, default cache of 10,000 actors per node).`,
      "Each node process runs a ClusterNode on NATS KV (default timing); the map is settled before measuring. The floor's responder serves the same shards as the host, so both route to the owner.",
    );
    // Recovery: kill -9 the hot actor's owner, then time the next command for it from another node
    // (it retries until the cluster has moved the shard).
    children[hotOwner]!.kill("SIGKILL");
    const [recovery] = await run(
      nc,
      prefix,
      [sequential(nonOwner, "aether", hot)].map((r) => ({
        ...r,
        request: { ...r.request, count: 1 },
      })),
    );
    lines.push(
      `After kill -9 of its owner, the next command for the hot actor (sent at once from another node) succeeded after ${recovery!.latencies[0] === undefined ? "–" : (recovery!.latencies[0] / 1000).toFixed(2)} s (cluster defaults: heartbeat 1 s, failure timeout 3 s, lease 2.5 s).`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await nc.close();
    await server.dispose();
  }
}
