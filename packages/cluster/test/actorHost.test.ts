import {
  ActorHost,
  ActorHostError,
  ActorHostErrorCode,
  InProcessTransport,
  type ActorHostOptions,
} from "@aether/cluster";
import {
  InMemoryEventStore,
  InMemorySnapshotStore,
  snapshotEvery,
  type ReadEventsOptions,
} from "@aether/event-sourcing";
import type { Event, NewEvent } from "@aether/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { bankAccount } from "./fixtures/bankAccount.js";
import { StaticShardMap } from "./fixtures/staticShardMap.js";

/** The real in-memory store, counting replays and able to hold appends back. */
class ObservedEventStore extends InMemoryEventStore {
  reads = 0;
  hold: Promise<void> | undefined;

  override readEvents(actorId: string, options?: ReadEventsOptions): AsyncIterable<Event> {
    this.reads++;
    return super.readEvents(actorId, options);
  }

  override async saveEvent(event: NewEvent): Promise<void> {
    if (this.hold !== undefined && event.actorId.startsWith("held")) await this.hold;
    return super.saveEvent(event);
  }
}

const hosts: ActorHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

function cluster(
  options: { nodes?: string[]; shardCount?: number; host?: Partial<ActorHostOptions> } = {},
) {
  const map = new StaticShardMap(options.nodes ?? ["a", "b", "c"], options.shardCount ?? 16);
  const transport = options.host?.transport ?? new InProcessTransport();
  const eventStore = new ObservedEventStore({ namespace: "bank" });
  const hostOf = new Map<string, ActorHost>();
  for (const nodeId of options.nodes ?? ["a", "b", "c"]) {
    const host = new ActorHost({
      ...options.host,
      cluster: map.node(nodeId),
      transport,
    });
    host.register("BankAccount", { actor: bankAccount, eventStore });
    hosts.push(host);
    hostOf.set(nodeId, host);
  }
  const host = (nodeId: string) => hostOf.get(nodeId)!;
  return { map, eventStore, host };
}

const deposit = (amount: number, note?: string) => ({
  type: "deposit" as const,
  amount,
  ...(note === undefined ? {} : { note }),
});

async function rejection(promise: Promise<unknown>): Promise<ActorHostError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActorHostError);
  return error as ActorHostError;
}

describe("cluster ActorHost", () => {
  it("handles a command on the owner whichever node it is sent from, with the command id in the events' metadata", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("b");
    const viaOwner = await host("b").send("BankAccount", actorId, deposit(5));
    const viaOther = await host("a").send("BankAccount", actorId, deposit(7), {
      commandId: "cmd-7",
    });
    expect(viaOwner).toMatchObject({
      actorId,
      version: 1,
      state: { balance: 5 },
      duplicate: false,
    });
    expect(viaOther).toMatchObject({
      actorId,
      version: 2,
      state: { balance: 12, deposits: 2 },
      commandId: "cmd-7",
      duplicate: false,
      events: [{ eventType: "Deposited", version: 2, data: { amount: 7 } }],
    });
    const stored = await eventStore.getEvents(actorId);
    expect(stored.map((e) => e.metadata?.commandId)).toEqual([viaOwner.commandId, "cmd-7"]);
    expect(host("b").stats().commandsHandled).toBe(2);
    expect(host("a").stats().commandsHandled).toBe(0);
  });

  it("runs one actor's commands one at a time in arrival order, and other actors meanwhile", async () => {
    const { map, eventStore, host } = cluster();
    const held = map.actorOwnedBy("a", "held");
    const free = map.actorOwnedBy("a", "free");
    let release!: () => void;
    eventStore.hold = new Promise((resolve) => (release = resolve));
    const heldSends = Array.from({ length: 20 }, (_, i) =>
      host(i % 2 === 0 ? "a" : "b").send("BankAccount", held, deposit(1, `${i},`)),
    );
    // While the held actor's first append waits, another actor on the same node goes ahead.
    const other = await host("a").send("BankAccount", free, deposit(3));
    expect(other.version).toBe(1);
    expect(await eventStore.getLatestVersion(held)).toBe(0);
    release();
    const results = await Promise.all(heldSends);
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // Sends from the owner itself keep their order among themselves; so do sends from one peer.
    const notes = (await eventStore.getEvents(held)).map((e) => (e.data as { note: string }).note);
    const fromA = notes.filter((n) => Number.parseInt(n) % 2 === 0);
    const fromB = notes.filter((n) => Number.parseInt(n) % 2 === 1);
    expect(fromA).toEqual([...fromA].sort((x, y) => Number.parseInt(x) - Number.parseInt(y)));
    expect(fromB).toEqual([...fromB].sort((x, y) => Number.parseInt(x) - Number.parseInt(y)));
  });

  it("keeps a hot actor in its cache (no reload per command) and counts hits and misses", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("c");
    await host("c").send("BankAccount", actorId, deposit(1));
    const readsAfterFirst = eventStore.reads;
    for (let i = 0; i < 10; i++) await host("a").send("BankAccount", actorId, deposit(1));
    expect(eventStore.reads).toBe(readsAfterFirst);
    expect(host("c").stats()).toMatchObject({ cacheHits: 10, cacheMisses: 1, cachedActors: 1 });
  });

  it("bounds the cache: the least recently used actor is evicted and reloaded on its next command", async () => {
    const { map, eventStore, host } = cluster({ nodes: ["a"], host: { cacheSize: 2 } });
    const [x, y, z] = ["x", "y", "z"].map((p) => map.actorOwnedBy("a", p)) as [
      string,
      string,
      string,
    ];
    for (const actorId of [x, y, x, z]) await host("a").send("BankAccount", actorId, deposit(1));
    expect(host("a").stats()).toMatchObject({ cachedActors: 2, cacheCapacity: 2 });
    const reads = eventStore.reads;
    await host("a").send("BankAccount", x, deposit(1)); // x was used after y: still cached
    expect(eventStore.reads).toBe(reads);
    const reloaded = await host("a").send("BankAccount", y, deposit(1)); // y was evicted
    expect(eventStore.reads).toBeGreaterThan(reads);
    expect(reloaded).toMatchObject({ version: 2, state: { balance: 2 } });
  });

  it("drops a shard's cache when the shard leaves, and the new owner serves its actors from the store", async () => {
    const { map, host } = cluster();
    const actorId = map.actorOwnedBy("a");
    const shardId = map.shardFor(actorId);
    await host("b").send("BankAccount", actorId, deposit(2));
    expect(host("a").stats().cachedActors).toBe(1);
    await map.move(shardId, "c");
    expect(host("a").stats().cachedActors).toBe(0);
    const result = await host("a").send("BankAccount", actorId, deposit(3));
    expect(result).toMatchObject({ version: 2, state: { balance: 5 } });
    expect(host("c").stats()).toMatchObject({ commandsHandled: 1, cacheMisses: 1 });
  });

  it("drains a leaving shard: the running command finishes first, queued ones move to the new owner", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("a", "held");
    let release!: () => void;
    eventStore.hold = new Promise((resolve) => (release = resolve));
    const sends = [1, 2, 3, 4].map((amount) =>
      host("b").send("BankAccount", actorId, deposit(amount, `${amount},`)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    let moved = false;
    const moving = map.move(map.shardFor(actorId), "c").then(() => (moved = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(moved).toBe(false); // the handover waits for the command that is running
    release();
    await moving;
    const results = await Promise.all(sends);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    expect(host("a").stats().commandsHandled).toBe(1);
    expect(host("c").stats().commandsHandled).toBe(3);
    expect(host("a").stats().notOwnerRefusals).toBe(3);
    const notes = (await eventStore.getEvents(actorId)).map(
      (e) => (e.data as { note: string }).note,
    );
    expect(notes[0]).toBe("1,");
  });

  it("refuses NOT_OWNER on a node that does not serve the shard, and the sender retries until its deadline, naming the shard and map version", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("b");
    const shardId = map.shardFor(actorId);
    await map.move(shardId, undefined);
    const error = await rejection(
      host("a").send("BankAccount", actorId, deposit(1), { timeoutMs: 150 }),
    );
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`shard ${shardId} (map version ${map.version}`);
    expect(error.details).toMatchObject({ shardId, mapVersion: map.version, actorId });
    expect(error.details.attempts).toBeGreaterThan(1);
    expect(await eventStore.getLatestVersion(actorId)).toBe(0);
  });

  it("answers NOT_OWNER from a node whose endpoint is still up but which no longer owns the shard", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("a");
    // The map moves on before node a has heard of it: its endpoint still answers, and refuses.
    map.shards[map.shardFor(actorId)] = "c";
    map.version++;
    const error = await rejection(
      host("b").send("BankAccount", actorId, deposit(1), { timeoutMs: 100 }),
    );
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details).toMatchObject({ lastCode: "NOT_OWNER", owner: "c" });
    expect(error.message).toMatch(/Node a does not serve shard/);
    expect(host("a").stats()).toMatchObject({ commandsHandled: 0 });
    expect(host("a").stats().notOwnerRefusals).toBeGreaterThan(0);
    expect(await eventStore.getLatestVersion(actorId)).toBe(0);
  });

  it("delivers a command sent while its shard has no owner once the shard gets one", async () => {
    const { map, host } = cluster();
    const actorId = map.actorOwnedBy("b");
    const shardId = map.shardFor(actorId);
    await map.move(shardId, undefined);
    const pending = host("a").send("BankAccount", actorId, deposit(4), { timeoutMs: 5_000 });
    await new Promise((resolve) => setImmediate(resolve));
    await map.move(shardId, "c");
    await expect(pending).resolves.toMatchObject({ version: 1, state: { balance: 4 } });
    expect(host("b").stats().commandsHandled).toBe(0);
  });

  it("applies a command id once: a retry returns the original events and appends nothing, also after a failover", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("a");
    const first = await host("b").send("BankAccount", actorId, deposit(10), { commandId: "c-1" });
    await host("b").send("BankAccount", actorId, deposit(1));
    const again = await host("c").send("BankAccount", actorId, deposit(10), { commandId: "c-1" });
    expect(again).toMatchObject({ duplicate: true, version: 2, state: { balance: 11 } });
    expect(again.events).toEqual(first.events);
    await map.move(map.shardFor(actorId), "c", "leaving");
    const afterFailover = await host("a").send("BankAccount", actorId, deposit(10), {
      commandId: "c-1",
    });
    expect(afterFailover).toMatchObject({ duplicate: true, events: first.events });
    expect(await eventStore.getLatestVersion(actorId)).toBe(2);
    expect(host("c").stats().duplicates).toBe(1);
  });

  it("finds a command id behind a snapshot by reading the window the snapshot skipped", async () => {
    const map = new StaticShardMap(["a", "b"], 4);
    const transport = new InProcessTransport();
    const eventStore = new InMemoryEventStore({ namespace: "bank" });
    const snapshotStore = new InMemorySnapshotStore({ namespace: "bank" });
    const make = (nodeId: string) => {
      const host = new ActorHost({ cluster: map.node(nodeId), transport, commandIdWindow: 5 });
      host.register("BankAccount", {
        actor: bankAccount,
        eventStore,
        snapshotStore,
        snapshotPolicy: snapshotEvery(2),
      });
      hosts.push(host);
      return host;
    };
    const [a] = [make("a"), make("b")];
    const actorId = map.actorOwnedBy("a");
    for (let i = 1; i <= 6; i++) {
      await a.send("BankAccount", actorId, deposit(1), { commandId: `d-${i}` });
    }
    expect((await snapshotStore.getLatestSnapshot(actorId))?.version).toBe(6);
    await map.move(map.shardFor(actorId), "b");
    // d-2..d-6 are within the last 5 events; d-1 is not, and is applied again (documented).
    const recent = await a.send("BankAccount", actorId, deposit(1), { commandId: "d-3" });
    expect(recent).toMatchObject({ duplicate: true, version: 6 });
    const forgotten = await a.send("BankAccount", actorId, deposit(1), { commandId: "d-1" });
    expect(forgotten).toMatchObject({ duplicate: false, version: 7 });
  });

  it("reloads and decides again when another writer appended behind its cache, a bounded number of times", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("a");
    await host("a").send("BankAccount", actorId, deposit(1));
    await eventStore.saveEvent({
      id: "outside-1",
      eventType: "Deposited",
      actorId,
      version: 2,
      data: { amount: 100, note: "" },
    });
    const result = await host("a").send("BankAccount", actorId, deposit(50));
    expect(result).toMatchObject({ version: 3, state: { balance: 151, deposits: 3 } });
    expect(host("a").stats().conflictRetries).toBe(1);

    // A store that always reports a conflict: the host gives up after maxConflictRetries.
    class ConflictingStore extends InMemoryEventStore {
      override async saveEvent(event: NewEvent): Promise<void> {
        const { metadata: _ignored, ...rest } = event;
        await super.saveEvent({ ...rest, id: `${event.id}-x` });
        return super.saveEvent(event);
      }
    }
    const lone = new StaticShardMap(["z"], 1);
    const host2 = new ActorHost({
      cluster: lone.node("z"),
      transport: new InProcessTransport(),
      maxConflictRetries: 2,
    });
    hosts.push(host2);
    const conflicting = new ConflictingStore({ namespace: "bank" });
    host2.register("BankAccount", { actor: bankAccount, eventStore: conflicting });
    const error = await rejection(host2.send("BankAccount", "acc", deposit(1)));
    expect(error.code).toBe("VERSION_CONFLICT");
    expect(host2.stats().conflictRetries).toBe(2);
  });

  it("brings the actor's refusal to the caller on any node, typed, with the actor's message; nothing appended", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("c");
    await host("c").send("BankAccount", actorId, deposit(5));
    for (const nodeId of ["a", "c"]) {
      const error = await rejection(
        host(nodeId).send("BankAccount", actorId, { type: "withdraw", amount: 9 }),
      );
      expect(error.code).toBe("COMMAND_REJECTED");
      expect(error.retryable).toBe(false);
      expect(error.message).toBe("Insufficient funds: balance 5, withdrawal 9");
      expect(error.details).toMatchObject({
        actorType: "BankAccount",
        actorId,
        errorName: "InsufficientFunds",
        reason: "INSUFFICIENT_FUNDS",
      });
    }
    expect(await eventStore.getLatestVersion(actorId)).toBe(1);
  });

  it("gives clear typed errors for an unknown actor type, an invalid actor id and a command that is not JSON; nothing appended", async () => {
    const { map, eventStore, host } = cluster();
    const actorId = map.actorOwnedBy("b");
    const unknown = await rejection(host("a").send("Wallet", actorId, deposit(1)));
    expect(unknown.code).toBe("UNKNOWN_ACTOR_TYPE");
    expect(unknown.message).toContain('"Wallet"');

    const invalid = await rejection(host("a").send("BankAccount", "", deposit(1)));
    expect(invalid.code).toBe("INVALID_ARGUMENT");
    expect(invalid.message).toMatch(/Invalid actor id for BankAccount/);

    const cyclic: Record<string, unknown> = { type: "deposit", amount: 1 };
    cyclic.self = cyclic;
    const notJson = await rejection(host("a").send("BankAccount", actorId, cyclic));
    expect(notJson.code).toBe("INVALID_ARGUMENT");
    expect(notJson.message).toMatch(/cannot be serialised to JSON/);
    const bigint = await rejection(host("a").send("BankAccount", actorId, { amount: 1n }));
    expect(bigint.message).toMatch(/BigInt/);
    const fn = await rejection(host("a").send("BankAccount", actorId, () => 1));
    expect(fn.message).toMatch(/it is function/);
    expect(await eventStore.getLatestVersion(actorId)).toBe(0);
  });

  it("refuses a command or a reply over the transport's max payload, before anything is appended", async () => {
    const transport = new InProcessTransport({ maxPayload: 2_000 });
    const { map, eventStore, host } = cluster({ host: { transport } });
    const actorId = map.actorOwnedBy("b");
    const big = await rejection(
      host("a").send("BankAccount", actorId, deposit(1, "x".repeat(3_000))),
    );
    expect(big.code).toBe("PAYLOAD_TOO_LARGE");
    expect(big.message).toMatch(/over the transport's limit of 2000 bytes/);

    // Each note fits, but the state that accumulates them outgrows a reply.
    let version = 0;
    let error: ActorHostError | undefined;
    for (let i = 0; i < 10 && error === undefined; i++) {
      try {
        version = (await host("a").send("BankAccount", actorId, deposit(1, "y".repeat(600))))
          .version;
      } catch (e) {
        error = e as ActorHostError;
      }
    }
    expect(error?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error?.message).toMatch(/reply .* nothing was appended/);
    expect(await eventStore.getLatestVersion(actorId)).toBe(version);
  });

  it("refuses to send once closed, and stops serving its shards", async () => {
    const { map, host } = cluster();
    const actorId = map.actorOwnedBy("a");
    await host("a").close();
    const closed = await rejection(host("a").send("BankAccount", actorId, deposit(1)));
    expect(closed.code).toBe("CLOSED");
    const refused = await rejection(
      host("b").send("BankAccount", actorId, deposit(1), { timeoutMs: 100 }),
    );
    expect(refused.code).toBe("UNAVAILABLE");
    expect(host("a").stats().servedShards).toBe(0);
  });
});

describe("cluster ActorHostError", () => {
  it("carries the host's, the cluster's NOT_OWNER and the kernel's codes with the right retryable flag", () => {
    expect(new ActorHostError("NOT_OWNER", "moved").retryable).toBe(true);
    expect(new ActorHostError("COMMAND_REJECTED", "no").retryable).toBe(false);
    expect(new ActorHostError("TIMEOUT", "slow").retryable).toBe(true);
    expect(ActorHostErrorCode.NotOwner).toBe("NOT_OWNER");
    expect(ActorHostErrorCode.UnknownActorType).toBe("UNKNOWN_ACTOR_TYPE");
    expect(ActorHostErrorCode.Unavailable).toBe("UNAVAILABLE");
  });
});
