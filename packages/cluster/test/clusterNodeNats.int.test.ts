import { ClusterNode } from "@aether/cluster";
import { natsCoordination } from "@aether/cluster/nats";
import { DomainEventRecorder } from "@aether/kernel";
import { uniqueName, waitFor } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, inject, it } from "vitest";
import { connectTo } from "./support/connect.js";

const SHARDS = 32;
const all = Array.from({ length: SHARDS }, (_, shard) => shard);

function servesAll(nodes: readonly ClusterNode[]): boolean {
  return all.every((shard) => nodes.filter((node) => node.ownsShard(shard)).length === 1);
}

describe("ClusterNode on natsCoordination (one nats-server)", () => {
  it(
    "two nodes elect one leader, split the shards, agree on the map, and hand over on leave",
    { timeout: 60_000 },
    async () => {
      const nc = await connectTo(inject("natsUrl"));
      const clusterName = uniqueName("two");
      const events = new DomainEventRecorder();
      try {
        const a = await ClusterNode.start({
          coordination: await natsCoordination(nc, { clusterName }),
          nodeId: "a",
          shardCount: SHARDS,
          publisher: events,
        });
        const b = await ClusterNode.start({
          coordination: await natsCoordination(nc, { clusterName }),
          nodeId: "b",
          shardCount: SHARDS,
          publisher: events,
        });
        await waitFor(
          () =>
            servesAll([a, b]) &&
            all.some((s) => b.ownsShard(s)) &&
            [a, b].filter((n) => n.isLeader()).length === 1,
          {
            timeoutMs: 20_000,
            description: "two nodes converged",
          },
        );
        expect(a.getShardAssignments()).toEqual(b.getShardAssignments());
        expect(a.getLeader()).toEqual(b.getLeader());
        expect(b.getClusterTopology().nodes.map((n) => n.nodeId)).toEqual(["a", "b"]);
        await b.leave();
        await waitFor(() => servesAll([a]), {
          timeoutMs: 20_000,
          description: "a serves everything after b left",
        });
        await waitFor(() => events.ofType("NodeLeft").length === 1, {
          timeoutMs: 10_000,
          description: "NodeLeft",
        });
        expect(events.ofType("NodeLeft")[0]!.nodeId).toBe("b");
        await a.close();
      } finally {
        await nc.close();
      }
    },
  );

  it(
    "recovers when its KV bucket is deleted under it: re-registers, re-elects, serves again",
    { timeout: 60_000 },
    async () => {
      const nc = await connectTo(inject("natsUrl"));
      const clusterName = uniqueName("deleted");
      try {
        const node = await ClusterNode.start({
          coordination: await natsCoordination(nc, { clusterName }),
          nodeId: "solo",
          shardCount: SHARDS,
        });
        await waitFor(() => servesAll([node]) && node.isLeader(), {
          timeoutMs: 20_000,
          description: "serving",
        });
        const termBefore = node.getLeader()!.term;
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(`KV_aether-cluster-${clusterName}`);
        await waitFor(() => !servesAll([node]) || node.getLeader()?.term !== termBefore, {
          timeoutMs: 20_000,
          description: "the node noticed",
        });
        await waitFor(() => servesAll([node]) && node.isLeader(), {
          timeoutMs: 30_000,
          description: "serving again",
        });
        expect((await jsm.streams.info(`KV_aether-cluster-${clusterName}`)).config.name).toBe(
          `KV_aether-cluster-${clusterName}`,
        );
        await node.close();
      } finally {
        await nc.close();
      }
    },
  );

  it(
    "stops serving and leading within its lease when its NATS connection is closed",
    { timeout: 30_000 },
    async () => {
      const nc = await connectTo(inject("natsUrl"));
      const clusterName = uniqueName("lost");
      const node = await ClusterNode.start({
        coordination: await natsCoordination(nc, { clusterName }),
        nodeId: "solo",
        shardCount: SHARDS,
      });
      await waitFor(() => servesAll([node]) && node.isLeader(), {
        timeoutMs: 20_000,
        description: "serving",
      });
      await nc.close();
      await waitFor(() => !node.isLeader() && all.every((s) => !node.ownsShard(s)), {
        timeoutMs: node.timing.failureTimeoutMs + 2_000,
        description: "fenced off after the connection closed",
      });
      await node.close();
    },
  );
});
