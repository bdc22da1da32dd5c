import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { uniqueName, waitFor } from "@aether/test-support";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { DepositReply, DepositRequest } from "./processes/bankNode.js";
import { connectTo } from "./support/connect.js";

const script = fileURLToPath(new URL("./processes/bankNode.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("..", import.meta.url));

interface NodeProcess {
  nodeId: string;
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  exited: Promise<number | null>;
  output: () => string;
}

const children: NodeProcess[] = [];
afterEach(() => {
  for (const node of children.splice(0)) node.child.kill("SIGKILL");
});

function startNode(args: {
  url: string;
  cluster: string;
  nodeId: string;
  namespace: string;
  prefix: string;
}) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@aether/source",
      script,
      args.url,
      args.cluster,
      args.nodeId,
      args.namespace,
      args.prefix,
    ],
    { cwd: packageDir, stdio: "pipe" },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const ready = Promise.race([
    waitFor(() => output.includes("ready\n"), {
      timeoutMs: 30_000,
      description: `${args.nodeId} ready`,
    }).then(() => undefined),
    exited.then((code) => {
      throw new Error(`${args.nodeId} exited with ${code} before it was ready: ${output}`);
    }),
  ]);
  const node: NodeProcess = { nodeId: args.nodeId, child, ready, exited, output: () => output };
  children.push(node);
  return node;
}

interface Deposit {
  index: number;
  actorId: string;
  amount: number;
  commandId: string;
  acknowledged: boolean;
  /** Attempts whose outcome the test could not know (the node died or the command timed out). */
  uncertain: number;
}

async function served(nc: NatsConnection, prefix: string, nodeId: string): Promise<number[]> {
  const reply = await nc.request(`${prefix}.ctl.${nodeId}`, JSON.stringify({ status: true }), {
    timeout: 5_000,
  });
  return reply.json<{ served: number[] }>().served;
}

describe("cluster ActorHost with nodes as separate OS processes on NATS", () => {
  it(
    "applies every acknowledged deposit exactly once while one node is killed -9 and another leaves",
    { timeout: 240_000 },
    async () => {
      const url = inject("natsUrl");
      const cluster = uniqueName("bank");
      const namespace = uniqueName("bank");
      const prefix = uniqueName("actors");
      const nc = await connectTo(url);
      try {
        const nodes = ["n1", "n2", "n3"].map((nodeId) =>
          startNode({ url, cluster, nodeId, namespace, prefix }),
        );
        await Promise.all(nodes.map((node) => node.ready));
        await waitFor(
          async () => {
            const shards = (
              await Promise.all(nodes.map((n) => served(nc, prefix, n.nodeId)))
            ).flat();
            return shards.length === 32 && new Set(shards).size === 32;
          },
          { timeoutMs: 30_000, description: "all 32 shards served once" },
        );

        const actors = Array.from({ length: 100 }, (_, i) => `account-${i}`);
        const total = 3_000;
        const deposits: Deposit[] = Array.from({ length: total }, (_, index) => ({
          index,
          actorId: actors[index % actors.length]!,
          amount: (index % 7) + 1,
          commandId: `deposit-${index}`,
          acknowledged: false,
          uncertain: 0,
        }));
        const live = [...nodes];
        const [killed, leaving] = [nodes[1]!, nodes[0]!];
        let acknowledged = 0;
        let sends = 0;
        let duplicates = 0;
        const failures = new Map<string, number>();

        const attempt = async (deposit: Deposit): Promise<void> => {
          const via = live[sends++ % live.length]!;
          // A short deadline, below the failover time: commands for a dead node's shards time out
          // and are retried with their command ids.
          const request: DepositRequest = { ...deposit, timeoutMs: 2_000 };
          let reply: DepositReply;
          try {
            reply = (
              await nc.request(`${prefix}.ctl.${via.nodeId}`, JSON.stringify(request), {
                timeout: 5_000,
              })
            ).json<DepositReply>();
          } catch {
            // The node we asked is gone (or too slow): whether it applied the deposit is unknown.
            reply = { ok: false, code: "NODE_GONE", message: via.nodeId };
          }
          if (reply.ok) {
            if (reply.duplicate) duplicates++;
            deposit.acknowledged = true;
            acknowledged++;
            return;
          }
          if (!["UNAVAILABLE", "TIMEOUT", "NODE_GONE", "CLOSED"].includes(reply.code)) {
            throw new Error(`deposit ${deposit.commandId} failed: ${reply.code} ${reply.message}`);
          }
          failures.set(reply.code, (failures.get(reply.code) ?? 0) + 1);
          deposit.uncertain++;
        };

        // 24 deposits in flight, round-robin over the live nodes; failed ones retried with their ids.
        let next = 0;
        const worker = async () => {
          for (;;) {
            const deposit = deposits[next++];
            if (deposit === undefined) return;
            while (!deposit.acknowledged) await attempt(deposit);
          }
        };
        const workers = Array.from({ length: 24 }, worker);

        await waitFor(() => acknowledged >= 600, { timeoutMs: 60_000 });
        live.splice(live.indexOf(killed), 1);
        killed.child.kill("SIGKILL");
        await waitFor(() => acknowledged >= 1_500, { timeoutMs: 90_000 });
        live.splice(live.indexOf(leaving), 1);
        leaving.child.stdin.write("leave\n");
        await Promise.all(workers);
        expect(await leaving.exited).toBe(0);

        const store = new JetStreamEventStore(nc, { namespace });
        let applied = 0;
        for (const actorId of actors) {
          const mine = deposits.filter((d) => d.actorId === actorId);
          const events = await store.getEvents(actorId);
          expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
          const ids = events.map((e) => e.metadata?.commandId ?? "");
          expect(new Set(ids).size).toBe(ids.length);
          expect([...ids].sort()).toEqual(mine.map((d) => d.commandId).sort());
          const balance = events.reduce((sum, e) => sum + (e.data as { amount: number }).amount, 0);
          expect(balance).toBe(mine.reduce((sum, d) => sum + d.amount, 0));
          applied += events.length;
        }
        expect(applied).toBe(total);
        expect(deposits.every((d) => d.acknowledged)).toBe(true);
        // The faults did happen to commands in flight, and their retries were applied once.
        expect(deposits.filter((d) => d.uncertain > 0).length).toBeGreaterThan(0);
        const survivor = await served(nc, prefix, nodes[2]!.nodeId);
        expect(survivor).toHaveLength(32);
        process.stdout.write(
          `multi-process: ${total} deposits, ${sends} sends, ${duplicates} answered as duplicates, failures by code ${JSON.stringify(Object.fromEntries(failures))}\n`,
        );
      } finally {
        await nc.close();
      }
    },
  );
});
