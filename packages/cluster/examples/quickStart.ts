import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import { DomainEventRecorder } from "@aether/kernel";

// One process here; across processes use `await natsCoordination(nc, { clusterName: "shop" })`.
const coordination = new InMemoryCoordination();
const events = new DomainEventRecorder();
const nodes: ClusterNode[] = [];
const moves: string[] = [];
for (const nodeId of ["a", "b", "c"]) {
  const shardListener = {
    // Finish or refuse in-flight work for the shard's actors; its next owner starts only after this.
    shardStopping: async (shard: number, reason: string) =>
      void moves.push(`${nodeId}:${shard}:${reason}`),
  };
  nodes.push(
    await ClusterNode.start({
      coordination,
      nodeId,
      shardCount: 16,
      publisher: events,
      shardListener,
    }),
  );
}
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};
const served = () =>
  [...Array(16).keys()].every((s) => nodes.filter((n) => n.ownsShard(s)).length === 1);
await until(served);

const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
console.log("leader", a.getLeader()?.nodeId, "term > 0:", (a.getLeader()?.term ?? 0) > 0); // leader a term > 0: true
console.log("acc-1 is in shard", a.shardFor("acc-1"), "served by", a.ownerOf("acc-1")); // acc-1 is in shard 9 served by c
const count = (node: ClusterNode) => [...Array(16).keys()].filter((s) => node.ownsShard(s)).length;
console.log(nodes.map((n) => `${n.nodeId}=${count(n)}`).join(" ")); // a=2 b=6 c=8

await b.leave(); // its shards are drained and handed over before their new owners start
await until(() => [...Array(16).keys()].every((s) => a.ownsShard(s) || c.ownsShard(s)));
console.log("after b left:", `a=${count(a)} c=${count(c)}`); // after b left: a=6 c=10
console.log(
  events.ofType("NodeLeft").map((e) => e.nodeId),
  moves.filter((m) => m.endsWith(":leaving")).length,
); // [ 'b' ] 6
await Promise.all([a.close(), c.close()]);
