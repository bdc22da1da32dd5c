import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { isVersionConflict } from "@aether/occ";
import { connectTo, NatsCluster, uniqueName, waitFor } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppendLoop, acknowledgedCount, expectNothingLost } from "./fixtures/appendLoop.js";

let cluster: NatsCluster;
const connections: NatsConnection[] = [];

async function connection(servers: string | string[]): Promise<NatsConnection> {
  const nc = await connectTo(servers);
  connections.push(nc);
  return nc;
}

beforeAll(async () => {
  cluster = await NatsCluster.start();
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await cluster?.dispose();
});

describe("JetStreamEventStore on a 3-node cluster with replicas: 3", () => {
  it("refuses a replicated stream on nats-server < 2.9.21 unless the risk is accepted explicitly", async () => {
    const nc = await connection(cluster.urls);
    const namespace = uniqueName("refused");
    const refused = new JetStreamEventStore(nc, { namespace, replicas: 3 });
    await expect(refused.ensureStream()).rejects.toMatchObject({
      code: "MISCONFIGURED",
      retryable: false,
    });
    await expect(refused.ensureStream()).rejects.toThrow(/nats-server#4320/);
    await expect(
      refused.saveEvent({ id: "e1", eventType: "T", actorId: "a", version: 1, data: {} }),
    ).rejects.toMatchObject({ code: "MISCONFIGURED" });
    const accepted = new JetStreamEventStore(nc, {
      namespace,
      replicas: 3,
      acceptServerRisk: "nats-server#4320",
    });
    await accepted.saveEvent({ id: "e1", eventType: "T", actorId: "a", version: 1, data: {} });
    expect(await accepted.getLatestVersion("a")).toBe(1);
    expect(
      () => new JetStreamEventStore(nc, { namespace, acceptServerRisk: "yes" as never }),
    ).toThrow(/acceptServerRisk must be "nats-server#4320"/);
  });

  // nats-server#4320 (fixed in 2.9.21): on a replicated stream, two appends expecting the same
  // last subject sequence can both be accepted. Whether it happens or not, the reader must stay
  // deterministic: one event per version, the first by stream sequence, extras reported.
  it(
    "keeps replay deterministic under same-sequence appends from every node",
    { timeout: 90_000 },
    async () => {
      const namespace = uniqueName("race4320");
      const stores: JetStreamEventStore[] = [];
      for (const url of cluster.urls) {
        const nc = await connection(url);
        for (let i = 0; i < 3; i++)
          stores.push(
            new JetStreamEventStore(nc, {
              namespace,
              replicas: 3,
              acceptServerRisk: "nats-server#4320",
            }),
          );
      }
      await Promise.all(stores.map((store) => store.ensureStream()));
      const rounds = 150;
      let extraAcks = 0;
      for (let version = 1; version <= rounds; version++) {
        // Every store knows the head from the last round (won or read after its conflict), so all
        // of them send the same expected sequence at once, through three different servers.
        const outcomes = await Promise.allSettled(
          stores.map((store, i) =>
            store.saveEvent({
              id: `r${version}-s${i}`,
              eventType: "Raced",
              actorId: "hot",
              version,
              data: { i },
            }),
          ),
        );
        const won = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
        for (const outcome of outcomes) {
          if (outcome.status === "rejected")
            expect(isVersionConflict(outcome.reason), String(outcome.reason)).toBe(true);
        }
        expect(won).toBeGreaterThanOrEqual(1);
        extraAcks += won - 1;
      }
      const reader = stores[0]!;
      const events = await reader.getEvents("hot");
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
      expect(await stores[8]!.getEvents("hot")).toEqual(events);
      const replay = await reader.getEventsWithErrors("hot");
      expect(replay.events).toEqual(events);
      expect(replay.errors).toHaveLength(extraAcks);
      for (const error of replay.errors) expect(error.error).toMatch(/already stored/);
      expect(await reader.getLatestVersion("hot")).toBe(rounds);
      console.info(
        `nats-server#4320 on ${cluster.servers.length} nodes: ${extraAcks === 0 ? "did not reproduce" : `REPRODUCED, ${extraAcks} appends acknowledged beside the winner`} in ${rounds} rounds of ${stores.length} same-sequence appends`,
      );
    },
  );

  it(
    "loses no acknowledged append when the stream leader is killed -9",
    { timeout: 120_000 },
    async () => {
      const nc = await connection(cluster.urls);
      const store = new JetStreamEventStore(nc, {
        namespace: uniqueName("leader"),
        replicas: 3,
        acceptServerRisk: "nats-server#4320",
        timeoutMs: 3_000,
        requestTimeoutMs: 1_000,
      });
      await store.ensureStream();
      const loops = ["a", "b", "c"].map((actorId) => new AppendLoop(store, actorId));
      await waitFor(() => acknowledgedCount(loops) >= 150, { timeoutMs: 30_000 });
      const jsm = await jetstreamManager(nc);
      const leader = (await jsm.streams.info(store.streamName)).cluster?.leader;
      const victim = cluster.servers.find((server) => server.serverName === leader);
      expect(victim, `stream leader ${leader}`).toBeDefined();
      await victim!.kill();
      const atKill = acknowledgedCount(loops);
      await waitFor(() => acknowledgedCount(loops) >= atKill + 150, {
        timeoutMs: 60_000,
        description: "appends continued on the surviving nodes",
      });
      await Promise.all(loops.map((loop) => loop.stop()));
      // nats-server < 2.9.21 may store a retried append beside its own first attempt (#4320).
      const repeats = await expectNothingLost(store, loops, { allowRepeats: true });
      const newLeader = (await jsm.streams.info(store.streamName)).cluster?.leader;
      expect(newLeader).not.toBe(leader);
      console.info(
        `leader kill: ${acknowledgedCount(loops)} appends acknowledged (${atKill} before), leader ${leader} -> ${newLeader}, failures seen: ${loops.map((loop) => loop.failures.map((f) => f.code).join("/") || "none").join(", ")}, repeats: ${repeats}`,
      );
    },
  );
});
