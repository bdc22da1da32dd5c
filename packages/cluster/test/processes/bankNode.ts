// One Aether node in its own OS process for the multi-process actor tests: a ClusterNode on NATS
// KV, an ActorHost on natsTransport and a JetStream event store. The test sends it commands on
// `<prefix>.ctl.<nodeId>`; "leave" on stdin makes it leave gracefully and exit 0.
import { createInterface } from "node:readline";
import { ActorHost, ClusterNode } from "@aether/cluster";
import { natsCoordination, natsTransport } from "@aether/cluster/nats";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { isAetherError } from "@aether/kernel";
import { bankAccount } from "../fixtures/bankAccount.js";
import { connectTo } from "../support/connect.js";

export interface DepositRequest {
  actorId: string;
  amount: number;
  commandId: string;
  timeoutMs: number;
}

export type DepositReply =
  { ok: true; version: number; duplicate: boolean } | { ok: false; code: string; message: string };

const [url, clusterName, nodeId, namespace, prefix] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];

const nc = await connectTo(url);
const coordination = await natsCoordination(nc, { clusterName });
const node = await ClusterNode.start({ coordination, nodeId, shardCount: 32 });
const host = new ActorHost({
  cluster: node,
  transport: natsTransport(nc, { subjectPrefix: prefix }),
});
host.register("BankAccount", {
  actor: bankAccount,
  eventStore: new JetStreamEventStore(nc, { namespace }),
});

nc.subscribe(`${prefix}.ctl.${nodeId}`, {
  callback: (_error, msg) => {
    const request = msg.json<DepositRequest | { status: true }>();
    if ("status" in request) {
      const served = Array.from({ length: node.shardCount }, (_, s) => s).filter((s) =>
        node.ownsShard(s),
      );
      msg.respond(JSON.stringify({ served, stats: host.stats() }));
      return;
    }
    void host
      .send(
        "BankAccount",
        request.actorId,
        { type: "deposit", amount: request.amount },
        {
          commandId: request.commandId,
          timeoutMs: request.timeoutMs,
        },
      )
      .then(
        (result): DepositReply => ({
          ok: true,
          version: result.version,
          duplicate: result.duplicate,
        }),
        (error: unknown): DepositReply => ({
          ok: false,
          code: isAetherError(error) ? error.code : "UNEXPECTED",
          message: error instanceof Error ? error.message : String(error),
        }),
      )
      .then((reply) => msg.respond(JSON.stringify(reply)));
  },
});
await nc.flush();
process.stdout.write("ready\n");

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== "leave") continue;
  await node.leave();
  await host.close();
  await nc.drain();
  process.exit(0);
}
