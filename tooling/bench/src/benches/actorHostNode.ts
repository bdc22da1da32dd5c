// One node of the actor-host bench, in its own OS process: an ActorHost on natsTransport and a
// JetStream event store, plus the hand-written floor (a NATS responder that appends with
// js.publish and the OCC header). The bench drives it through control requests on NATS.
//
// Ownership is a fixed map (shard i on node i mod N), the same in every process: the bench
// measures command routing and handling, not coordination.
import { performance } from "node:perf_hooks";
import { ActorHost, type ShardOwnership } from "@aether/cluster";
import { natsTransport } from "@aether/cluster/nats";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { jetstream } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { SHARDS, counter, shardOf, type RunReply, type RunRequest } from "./actorHostShared.js";

const [url, nodeIndexText, nodeCountText, namespace, prefix, floorStream] = process.argv.slice(2);
const nodeIndex = Number(nodeIndexText);
const nodeCount = Number(nodeCountText);
async function main(): Promise<void> {
  if (
    url === undefined ||
    namespace === undefined ||
    prefix === undefined ||
    floorStream === undefined
  ) {
    throw new Error(
      "usage: actorHostNode <url> <index> <count> <namespace> <prefix> <floorStream>",
    );
  }
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const listeners: Parameters<ShardOwnership["addShardListener"]>[0][] = [];
  const ownsShard = (shardId: number) => shardId % nodeCount === nodeIndex;
  const ownership: ShardOwnership = {
    nodeId: `node-${nodeIndex}`,
    shardCount: SHARDS,
    shardFor: shardOf,
    ownsShard,
    ownerOf: (actorId) => `node-${shardOf(actorId) % nodeCount}`,
    getShardAssignments: () => ({
      version: 1,
      shards: Array.from({ length: SHARDS }, (_, s) => `node-${s % nodeCount}`),
    }),
    addShardListener(listener) {
      listeners.push(listener);
      for (let s = 0; s < SHARDS; s++) if (ownsShard(s)) void listener.shardStarted?.(s);
      return () => undefined;
    },
  };
  const host = new ActorHost({
    cluster: ownership,
    transport: natsTransport(nc, { subjectPrefix: prefix }),
  });
  host.register("Counter", { actor: counter, eventStore: new JetStreamEventStore(nc, namespace) });

  // The floor: the owner of an actor's shard answers a request by appending with the OCC header,
  // one append per actor at a time (as any correct hand-written version must).
  const lastSequence = new Map<string, number>();
  const tails = new Map<string, Promise<void>>();
  const append = async (msg: Msg) => {
    const { actorId, amount } = msg.json<{ actorId: string; amount: number }>();
    const payload = JSON.stringify({ eventType: "Added", actorId, data: { amount } });
    const ack = await js.publish(`${floorStream}.${actorId}`, payload, {
      expect: { lastSubjectSequence: lastSequence.get(actorId) ?? 0 },
    });
    lastSequence.set(actorId, ack.seq);
    msg.respond(JSON.stringify({ seq: ack.seq }));
  };
  for (let s = 0; s < SHARDS; s++) {
    if (!ownsShard(s)) continue;
    nc.subscribe(`${prefix}.floor.${s}`, {
      callback: (_error, msg) => {
        const actorId = msg.json<{ actorId: string }>().actorId;
        const tail = (tails.get(actorId) ?? Promise.resolve()).then(() => append(msg));
        tails.set(actorId, tail);
      },
    });
  }

  const one = async (op: RunRequest["op"], actorId: string): Promise<void> => {
    if (op === "aether") await host.send("Counter", actorId, { amount: 1 });
    else
      await nc.request(
        `${prefix}.floor.${shardOf(actorId)}`,
        JSON.stringify({ actorId, amount: 1 }),
        { timeout: 10_000 },
      );
  };

  nc.subscribe(`${prefix}.ctl.${nodeIndex}`, {
    callback: (_error, msg: Msg) => {
      void (async () => {
        const request = msg.json<RunRequest | { op: "stats" }>();
        if (request.op === "stats") {
          msg.respond(JSON.stringify(host.stats()));
          return;
        }
        const latencies: number[] = [];
        let next = 0;
        const start = performance.now();
        await Promise.all(
          Array.from({ length: request.concurrency }, async () => {
            while (next < request.count) {
              const index = next++;
              const t0 = performance.now();
              await one(request.op, request.actors[index % request.actors.length]!);
              if (request.concurrency === 1) latencies.push(performance.now() - t0);
            }
          }),
        );
        const reply: RunReply = { ops: request.count, ms: performance.now() - start, latencies };
        msg.respond(JSON.stringify(reply));
      })();
    },
  });
  await nc.flush();
  process.stdout.write("ready\n");
}

await main();
