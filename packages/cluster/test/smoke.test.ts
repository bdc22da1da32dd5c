import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import { DomainEventRecorder, ManualClock } from "@aether/kernel";
import { expect, it } from "vitest";
import { VirtualScheduler } from "./support/virtualScheduler.js";

it("smoke", async () => {
  const scheduler = new VirtualScheduler();
  const coordination = new InMemoryCoordination({ clock: new ManualClock(0) });
  const publisher = new DomainEventRecorder();
  const a = await ClusterNode.start({ coordination, nodeId: "a", scheduler, publisher });
  const b = await ClusterNode.start({ coordination, nodeId: "b", scheduler, publisher });
  await scheduler.advance(5000);
  const c = await ClusterNode.start({ coordination, nodeId: "c", scheduler, publisher });
  await scheduler.advance(5000);
  console.log(a.getClusterTopology(), a.isLeader(), b.isLeader(), c.isLeader());
  console.log(publisher.events.map((e) => e.type).join(","));
  const owned = [a, b, c].map((n) => Array.from({ length: 64 }, (_, s) => s).filter((s) => n.ownsShard(s)).length);
  console.log(owned);
  await c.leave();
  console.log("after leave", publisher.events.slice(-5));
  await a.close();
  await scheduler.advance(6000);
  console.log(b.getClusterTopology(), b.isLeader());
  expect(b.isLeader()).toBe(true);
});
