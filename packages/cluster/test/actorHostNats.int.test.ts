import {
  ActorHost,
  ActorHostError,
  ClusterNode,
  InMemoryCoordination,
  type ActorTransport,
} from "@aether/cluster";
import { natsTransport } from "@aether/cluster/nats";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { NatsServer, uniqueName, waitFor } from "@aether/test-support";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, inject, it } from "vitest";
import { bankAccount } from "./fixtures/bankAccount.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Member {
  node: ClusterNode;
  host: ActorHost;
  nc: NatsConnection;
  transport: ActorTransport;
}

const timing = { heartbeatMs: 100, failureTimeoutMs: 600, leaseTtlMs: 500, marginMs: 100 };

/** Nodes in this process, each with its own NATS connection: commands travel over real NATS. */
async function nodes(count: number, url = inject("natsUrl")) {
  const coordination = new InMemoryCoordination();
  const subjectPrefix = uniqueName("actors");
  const namespace = uniqueName("bank");
  const members: Member[] = [];
  const add = async () => {
    const nc = await connect({ servers: url, noAsyncTraces: true });
    const node = await ClusterNode.start({ coordination, shardCount: 16, timing });
    const transport = natsTransport(nc, { subjectPrefix });
    const host = new ActorHost({ cluster: node, transport });
    host.register("BankAccount", {
      actor: bankAccount,
      eventStore: new JetStreamEventStore(nc, { namespace }),
    });
    const member = { node, host, nc, transport };
    members.push(member);
    cleanups.push(async () => {
      await host.close();
      await node.close();
      await nc.close();
    });
    return member;
  };
  for (let i = 0; i < count; i++) await add();
  const converged = () =>
    Array.from({ length: 16 }, (_, shardId) => shardId).every(
      (shardId) => members.filter((m) => m.node.ownsShard(shardId)).length === 1,
    ) && members.every((m) => m.host.stats().servedShards > 0 || members.length > 16);
  await waitFor(converged, { timeoutMs: 15_000 });
  const storeNc = members[0]!.nc;
  return {
    members,
    add,
    converged,
    store: new JetStreamEventStore(storeNc, { namespace }),
    owner: (actorId: string) => members.find((m) => m.node.nodeId === m.node.ownerOf(actorId))!,
    other: (actorId: string) => members.find((m) => m.node.nodeId !== m.node.ownerOf(actorId))!,
  };
}

async function rejection(promise: Promise<unknown>): Promise<ActorHostError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActorHostError);
  return error as ActorHostError;
}

describe("cluster ActorHost over NATS", () => {
  it("routes commands from every node to the owner over NATS request/reply", async () => {
    const { members, store, owner } = await nodes(3);
    const actors = Array.from({ length: 12 }, (_, i) => `acc-${i}`);
    for (const [i, actorId] of actors.entries()) {
      for (const member of members) {
        await member.host.send("BankAccount", actorId, { type: "deposit", amount: i + 1 });
      }
    }
    for (const [i, actorId] of actors.entries()) {
      const events = await store.getEvents(actorId);
      expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
      const final = await owner(actorId).host.send("BankAccount", actorId, { type: "inspect" });
      expect(final.state).toMatchObject({ balance: 3 * (i + 1), deposits: 3 });
    }
    const handled = members.reduce((sum, m) => sum + m.host.stats().commandsHandled, 0);
    expect(handled).toBe(actors.length * 4);
  });

  it("brings refusals across NATS typed, and answers a request for a shard it does not serve with a NOT_OWNER header", async () => {
    const { store, owner, other } = await nodes(2);
    const actorId = "acc-refused";
    const via = other(actorId);
    const refused = await rejection(
      via.host.send("BankAccount", actorId, { type: "withdraw", amount: 1 }),
    );
    expect(refused).toMatchObject({
      code: "COMMAND_REJECTED",
      message: "Insufficient funds: balance 0, withdrawal 1",
    });
    const unknown = await rejection(via.host.send("Wallet", actorId, { type: "deposit" }));
    expect(unknown.code).toBe("UNKNOWN_ACTOR_TYPE");
    expect(await store.getLatestVersion(actorId)).toBe(0);

    // A request for this actor on a shard subject its owner serves, but of another shard.
    const target = owner(actorId).node;
    const wrongShard = Array.from({ length: 16 }, (_, s) => s).find(
      (s) => s !== target.shardFor(actorId) && target.ownsShard(s),
    )!;
    let elsewhere = "";
    for (let i = 0; elsewhere === ""; i++) {
      if (!target.ownsShard(target.shardFor(`acc-e${i}`))) elsewhere = `acc-e${i}`;
    }
    const reply = await via.transport.request(
      wrongShard,
      new TextEncoder().encode(
        JSON.stringify({ t: "BankAccount", a: elsewhere, i: "x", l: 1000, c: {} }),
      ),
      2_000,
    );
    expect(reply.errorCode).toBe("NOT_OWNER");
    expect(new TextDecoder().decode(reply.body)).toContain(
      `does not serve shard ${target.shardFor(elsewhere)}`,
    );
    expect(await store.getLatestVersion(elsewhere)).toBe(0);
  });

  it("natsTransport: no responders on a shard is a fast UNAVAILABLE, a silent one a TIMEOUT", async () => {
    const nc = await connect({ servers: inject("natsUrl"), noAsyncTraces: true });
    cleanups.push(() => nc.close());
    const transport = natsTransport(nc, { subjectPrefix: uniqueName("t") });
    const body = new TextEncoder().encode("{}");
    const nobody = await transport.request(3, body, 5_000).catch((e: unknown) => e);
    expect(nobody).toBeInstanceOf(ActorHostError);
    expect(nobody).toMatchObject({
      code: "UNAVAILABLE",
      details: { shardId: 3, reason: "no-responders" },
    });
    const silent = transport.serve(4, () => new Promise(() => undefined));
    await nc.flush();
    const late = await transport.request(4, body, 200).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: "TIMEOUT", retryable: true, details: { shardId: 4 } });
    await silent.stop();
    const stopped = await transport.request(4, body, 5_000).catch((e: unknown) => e);
    expect(stopped).toMatchObject({ code: "UNAVAILABLE" });
    expect(() => natsTransport(nc, { subjectPrefix: "bad prefix" })).toThrow(/subjectPrefix/);
  });

  it("refuses a reply over the server's max_payload before appending", async () => {
    const server = await NatsServer.start({ extraConfig: "max_payload: 4096" });
    cleanups.push(() => server.dispose());
    const { members, store } = await nodes(2, server.url);
    const actorId = "acc-big";
    let acknowledged = 0;
    let error: ActorHostError | undefined;
    for (let i = 0; i < 20 && error === undefined; i++) {
      try {
        await members[i % 2]!.host.send("BankAccount", actorId, {
          type: "deposit",
          amount: 1,
          note: "n".repeat(900),
        });
        acknowledged++;
      } catch (e) {
        error = e as ActorHostError;
      }
    }
    expect(error?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error?.message).toMatch(
      /over the transport's limit of 4096 bytes; nothing was appended/,
    );
    expect(await store.getLatestVersion(actorId)).toBe(acknowledged);
  });

  it("keeps every acknowledged command while a node leaves and another joins under load", async () => {
    const cluster = await nodes(3);
    const { members, store } = cluster;
    const actors = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
    const acknowledged = new Map<string, number>();
    let stop = false;
    let sent = 0;
    const load = (async () => {
      while (!stop) {
        const batch = actors.map((actorId, i) => {
          const via = members[(sent + i) % members.length]!;
          sent++;
          return via.host
            .send("BankAccount", actorId, { type: "deposit", amount: 1 }, { timeoutMs: 10_000 })
            .then(() => acknowledged.set(actorId, (acknowledged.get(actorId) ?? 0) + 1));
        });
        await Promise.all(batch);
      }
    })();
    await waitFor(() => sent > 200);
    // Commands stop being sent through it; its shards move while others' commands keep coming.
    const [leaving] = members.splice(1, 1);
    await leaving!.node.leave();
    await leaving!.host.close();
    await cluster.add();
    await waitFor(cluster.converged, { timeoutMs: 15_000 });
    const before = sent;
    await waitFor(() => sent > before + 200);
    stop = true;
    await load;
    for (const actorId of actors) {
      const events = await store.getEvents(actorId);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      expect(events.length).toBe(acknowledged.get(actorId) ?? 0);
    }
  });
});
