// One cluster node as an OS process for the cluster bench.
// argv: <NATS url> <clusterName> <nodeId> <shardCount>
// stdout JSON lines: {kind:"ready"}, {kind:"event", event}, {kind:"state", owned, leader} on change
// (sampled every 5 ms), {kind:"ops", count} every second (coordination calls made so far).
import { ClusterNode } from "@aether/cluster";
import type { Coordination } from "@aether/cluster";
import { natsCoordination } from "@aether/cluster/nats";
import type { DomainEvent } from "@aether/kernel";
import { connect } from "@nats-io/transport-node";

const [url = "", clusterName = "", nodeId = "", shardCount = "64"] = process.argv.slice(2);
const write = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const nc = await connect({ servers: url, noAsyncTraces: true, maxReconnectAttempts: -1 });
const kv = await natsCoordination(nc, { clusterName });
let ops = 0;
const counted =
  <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
  (...args: A) => {
    ops++;
    return call(...args);
  };
// Every port call is one KV API request on an R1 bucket (no confirmation reads there).
const coordination: Coordination = {
  get: counted((key: string) => kv.get(key)),
  keys: counted((prefix?: string) => kv.keys(prefix)),
  create: counted((key: string, value: string) => kv.create(key, value)),
  update: counted((key: string, value: string, revision: number) =>
    kv.update(key, value, revision),
  ),
  delete: counted((key: string, revision?: number) => kv.delete(key, revision)),
  watch: (options) => kv.watch(options),
};
const node = await ClusterNode.start({
  coordination,
  nodeId,
  shardCount: Number(shardCount),
  publisher: { publishDomainEvent: (event: DomainEvent) => write({ kind: "event", event }) },
});
let last = "";
setInterval(() => {
  const owned = Array.from({ length: node.shardCount }, (_, s) => s).filter((s) =>
    node.ownsShard(s),
  );
  const state = { owned, leader: node.isLeader() };
  const key = JSON.stringify(state);
  if (key !== last) write({ kind: "state", ...state });
  last = key;
}, 5);
setInterval(() => write({ kind: "ops", count: ops }), 1000);
write({ kind: "ready" });
