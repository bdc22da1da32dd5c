import { ActorRepository } from "@aether/event-sourcing";
import { JetStreamEventStore, createJetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { eventStreamName } from "@aether/namespace/naming";
import { connectTo, natsTestContext, uniqueName } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { counter } from "./fixtures/counter.js";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectTo(inject("natsUrl"));
});

afterAll(async () => {
  await nc.drain();
});

describe("event-sourcing/jetstream stream setup", () => {
  it("reports a stream that cannot hold the namespace's events as MISCONFIGURED, naming it", async () => {
    await using t = await natsTestContext();
    const namespace = t.uniqueName("misconfigured");
    const stream = eventStreamName(namespace);
    const jsm = await jetstreamManager(t.nc);
    await jsm.streams.add({ name: stream, subjects: [`elsewhere.${namespace}.>`] });
    const setup = createJetStreamEventStore(t.nc, { namespace });
    await expect(setup).rejects.toMatchObject({ code: "MISCONFIGURED", retryable: false });
    await expect(setup).rejects.toThrow(new RegExp(`Stream ${stream} exists but cannot hold`));
  });

  it("fails loudly, naming the actor and the first missing version, when a limit changed under a running store discarded history", async () => {
    const namespace = uniqueName("limits");
    const store = await createJetStreamEventStore(nc, { namespace });
    const repository = new ActorRepository({ actor: counter, eventStore: store });
    for (let i = 0; i < 21; i++) await repository.handle("acc-1", { type: "add", amount: 1 });
    const jsm = await jetstreamManager(nc);
    const stream = eventStreamName(namespace);
    const { config } = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...config, max_msgs: 10, discard: "old" });

    expect(await store.getLatestVersion("acc-1")).toBe(21);
    const gap = { code: "HISTORY_GAP", retryable: false };
    const details = { actorId: "acc-1", firstMissingVersion: 1, lastMissingVersion: 11 };
    await expect(store.getEvents("acc-1")).rejects.toMatchObject({ ...gap, details });
    await expect(store.getEvents("acc-1")).rejects.toThrow(/"acc-1" has a gap: versions 1–11/);
    await expect(repository.load("acc-1")).rejects.toMatchObject(gap);
    await expect(repository.handle("acc-1", { type: "add", amount: 1 })).rejects.toMatchObject(gap);
    const replay = await store.getEventsWithErrors("acc-1");
    expect(replay.events.map((e) => e.version)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(replay.errors).toMatchObject([{ missingVersions: { from: 1, to: 11 } }]);

    // A store opening the stream now refuses it: its limits discard events.
    const reopened = new JetStreamEventStore(nc, { namespace });
    await expect(reopened.ensureStream()).rejects.toMatchObject({ code: "MISCONFIGURED" });
    await expect(reopened.ensureStream()).rejects.toThrow(/max_msgs is 10 with discard: old/);
  });

  it("refuses an append at once, naming the limit, when a discard: new limit is reached", async () => {
    const namespace = uniqueName("full");
    const store = await createJetStreamEventStore(nc, { namespace, timeoutMs: 30_000 });
    const jsm = await jetstreamManager(nc);
    const stream = eventStreamName(namespace);
    const { config } = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...config, max_msgs: 2 });
    const event = (actorId: string, version: number) => ({
      id: `${actorId}-${version}`,
      eventType: "T",
      actorId,
      version,
      data: {},
    });
    await store.saveEvent(event("a", 1));
    await store.saveEvent(event("a", 2));
    const refused = await store.saveEvent(event("a", 3)).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: "STREAM_LIMIT_REACHED",
      retryable: false,
      details: { limit: "max_msgs", stream },
    });
    expect((refused as Error).message).toMatch(/max_msgs/);
  });

  it("tells a deleted stream from an outage: STREAM_NOT_FOUND at once, and ensureStream checks again", async () => {
    const namespace = uniqueName("deleted");
    const store = await createJetStreamEventStore(nc, { namespace, timeoutMs: 30_000 });
    const event = (version: number) => ({
      id: `e-${version}-${namespace}`,
      eventType: "T",
      actorId: "a",
      version,
      data: {},
    });
    await store.saveEvent(event(1));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(eventStreamName(namespace));
    const gone = { code: "STREAM_NOT_FOUND", retryable: false };
    await expect(store.saveEvent(event(2))).rejects.toMatchObject(gone);
    await expect(store.getLatestVersion("a")).rejects.toMatchObject(gone);
    await expect(store.getEvents("a")).rejects.toMatchObject(gone);
    await expect(store.ensureStream()).rejects.toMatchObject(gone);
    await expect(store.ensureStream()).rejects.toThrow(/does not exist/);
    // An operator recreates it: ensureStream adopts it, and the store starts from what it holds.
    await createJetStreamEventStore(nc, { namespace });
    await store.ensureStream();
    expect(await store.getLatestVersion("a")).toBe(0);
    await store.saveEvent(event(1));
    expect((await store.getEvents("a")).map((e) => e.version)).toEqual([1]);
  });
});
