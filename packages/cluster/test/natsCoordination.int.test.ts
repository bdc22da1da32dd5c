import { describeCoordinationContract } from "@aether/cluster/testing";
import { natsCoordination } from "@aether/cluster/nats";
import { isAetherError } from "@aether/kernel";
import { NatsCluster, waitFor } from "@aether/test-support";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectTo } from "./support/connect.js";

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectTo(inject("natsUrl"));
});
afterAll(async () => {
  await nc?.close();
});

describeCoordinationContract("natsCoordination (one server, R1)", ({ name }) =>
  natsCoordination(nc, { clusterName: name }),
);

describe("natsCoordination", () => {
  it("refuses a cluster name that cannot name a bucket", async () => {
    for (const clusterName of ["", "has space", "dots.are.subjects", "x".repeat(65)]) {
      await expect(natsCoordination(nc, { clusterName })).rejects.toSatisfy(
        (error: unknown) =>
          isAetherError(error, "INVALID_CLUSTER_NAME") &&
          (error as Error).message.includes(JSON.stringify(clusterName)),
      );
    }
    await expect(natsCoordination(nc, { clusterName: "ok", replicas: 2 })).rejects.toSatisfy(
      (error: unknown) => isAetherError(error, "INVALID_ARGUMENT"),
    );
  });
});

describe("natsCoordination on a 3-node NATS cluster (R3 bucket)", () => {
  let cluster: NatsCluster;
  const connections: NatsConnection[] = [];
  beforeAll(async () => {
    cluster = await NatsCluster.start();
    for (const server of cluster.servers) connections.push(await connectTo(server.url));
  }, 90_000);
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await cluster?.dispose();
  });

  describeCoordinationContract("natsCoordination (R3, writes confirmed)", ({ name }) =>
    natsCoordination(connections[0]!, { clusterName: name, replicas: 3 }),
  );

  it(
    "gives each racing takeover to exactly one of three writers on three servers",
    { timeout: 60_000 },
    async () => {
      const clusterName = `race-${Date.now().toString(36)}`;
      const stores = [];
      for (const connection of connections)
        stores.push(await natsCoordination(connection, { clusterName, replicas: 3 }));
      let revision = await stores[0]!.create("leader", "nobody");
      const watch = stores[1]!.watch({ prefix: "leader" });
      const watched: string[] = [];
      const watching = (async () => {
        for await (const change of watch) watched.push(change.value ?? "<deleted>");
      })();
      const winners = new Set(["nobody"]);
      for (let round = 0; round < 60; round++) {
        const results = await Promise.allSettled(
          stores.map((store, i) => store.update("leader", `w${i}-r${round}`, revision)),
        );
        const won = results.flatMap((result, i) =>
          result.status === "fulfilled" ? [{ i, revision: result.value }] : [],
        );
        const refused = results.filter((result) => result.status === "rejected");
        for (const failure of refused) {
          expect(isAetherError(failure.reason, "COORDINATION_CONFLICT")).toBe(true);
        }
        expect(won.length, `round ${round}`).toBeLessThanOrEqual(1);
        const current = await stores[0]!.get("leader");
        if (won.length === 1) {
          expect(current?.value).toBe(`w${won[0]!.i}-r${round}`);
          winners.add(`w${won[0]!.i}-r${round}`);
        }
        revision = current!.revision;
      }
      await waitFor(() => watched.length >= 61, {
        timeoutMs: 10_000,
        description: "watch caught up",
      });
      watch.stop();
      await watching;
      // A watcher never sees a loser's value, even where the loser's message tops the key.
      expect(watched.filter((value) => !winners.has(value))).toEqual([]);
    },
  );
});
