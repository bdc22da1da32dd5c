// One node of the actor-host bench, in its own OS process: a ClusterNode on NATS KV, an ActorHost
// on natsTransport and a JetStream event store, plus the hand-written floor (a NATS responder that
// appends with js.publish and the OCC header, on the shards this node serves). The bench drives it
// through control requests on NATS.
import { performance } from "node:perf_hooks";
import { ActorHost, ClusterNode } from "@aether/cluster";
import { natsCoordination, natsTransport } from "@aether/cluster/nats";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { jetstream } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import {
  SHARDS,
  counter,
  type ControlRequest,
  type RunReply,
  type RunRequest,
} from "./actorHostShared.js";

const [url, nodeIndex, clusterName, namespace, prefix, floorStream] = process.argv.slice(2);
async function main(): Promise<void> {
  if (
    url === undefined ||
    clusterName === undefined ||
    namespace === undefined ||
    prefix === undefined ||
    floorStream === undefined
  ) {
    throw new Error(
      "usage: actorHostNode <url> <index> <clusterName> <namespace> <prefix> <floorStream>",
    );
  }
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const node = await ClusterNode.start({
    coordination: await natsCoordination(nc, { clusterName }),
    nodeId: `node-${nodeIndex}`,
    shardCount: SHARDS,
  });
  const host = new ActorHost({
    cluster: node,
    transport: natsTransport(nc, { subjectPrefix: prefix }),
  });
  host.register("Counter", {
    actor: counter,
    eventStore: new JetStreamEventStore(nc, { namespace }),
  });

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
  // Called once the shard map has settled: the floor routes like the host, to the shard's owner.
  const serveFloor = () => {
    for (let s = 0; s < SHARDS; s++) {
      if (!node.ownsShard(s)) continue;
      nc.subscribe(`${prefix}.floor.${s}`, {
        callback: (_error, msg) => {
          const actorId = msg.json<{ actorId: string }>().actorId;
          const tail = (tails.get(actorId) ?? Promise.resolve()).then(() => append(msg));
          tails.set(actorId, tail);
        },
      });
    }
  };

  const one = async (op: RunRequest["op"], actorId: string): Promise<void> => {
    if (op === "aether") await host.send("Counter", actorId, { amount: 1 }, { timeoutMs: 30_000 });
    else
      await nc.request(
        `${prefix}.floor.${node.shardFor(actorId)}`,
        JSON.stringify({ actorId, amount: 1 }),
        { timeout: 10_000 },
      );
  };

  nc.subscribe(`${prefix}.ctl.${nodeIndex}`, {
    callback: (_error, msg: Msg) => {
      void (async () => {
        const request = msg.json<ControlRequest>();
        if (request.op === "stats") {
          msg.respond(JSON.stringify(host.stats()));
          return;
        }
        if (request.op === "status") {
          const served = Array.from({ length: SHARDS }, (_, s) => s).filter((s) =>
            node.ownsShard(s),
          );
          msg.respond(JSON.stringify({ served, ownerOf: node.ownerOf(request.actorId) }));
          return;
        }
        if (request.op === "serveFloor") {
          serveFloor();
          await nc.flush();
          msg.respond("{}");
          return;
        }
        const latencies: number[] = [];
        let next = 0;
        const start = performance.now();
        try {
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
        } catch (error) {
          msg.respond(JSON.stringify({ error: String(error) }));
          return;
        }
        const reply: RunReply = { ops: request.count, ms: performance.now() - start, latencies };
        msg.respond(JSON.stringify(reply));
      })();
    },
  });
  await nc.flush();
  process.stdout.write("ready\n");
}

await main();
