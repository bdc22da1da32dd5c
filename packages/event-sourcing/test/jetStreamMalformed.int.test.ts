import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import type { NewEvent } from "@aether/kernel";
import { actorSubject } from "@aether/namespace/naming";
import { natsTestContextForFile, uniqueName } from "@aether/test-support";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";

const nats = natsTestContextForFile();
const js = (): JetStreamClient => jetstream(nats.nc);

function event(actorId: string, version: number, extra: Partial<NewEvent> = {}): NewEvent {
  return {
    id: `${actorId.slice(0, 20)}-v${version}-${Math.random().toString(36).slice(2)}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { amount: version },
    ...extra,
  };
}

function stored(actorId: string, version: number): object {
  return { ...event(actorId, version), timestamp: new Date().toISOString() };
}

async function setup() {
  const namespace = uniqueName("malformed");
  const store = new JetStreamEventStore(nats.nc, { namespace });
  await store.ensureStream();
  /** Publishes straight into the actor's subject, as a foreign writer or a bug would. */
  const injectRaw = async (actorId: string, payload: string | object): Promise<number> => {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    return (await js().publish(actorSubject(namespace, actorId), body)).seq;
  };
  return { store, injectRaw };
}

const versions = (events: { version: number }[]) => events.map((e) => e.version);

describe("JetStreamEventStore with messages that did not come through the store", () => {
  it("reports every malformed message with its stream sequence and goes on replaying", async () => {
    const { store, injectRaw } = await setup();
    await store.saveEvents([event("acc", 1), event("acc", 2)]);
    const badJson = await injectRaw("acc", "{not json");
    await store.saveEvent(event("acc", 3));
    const wrongSchema = await injectRaw("acc", {
      id: "",
      eventType: 7,
      actorId: "acc",
      version: 0,
    });
    const wrongActor = await injectRaw("acc", stored("someone-else", 4));
    const duplicate = await injectRaw("acc", stored("acc", 2));
    const ahead = await injectRaw("acc", stored("acc", 9));
    const emptyBatch = await injectRaw("acc", []);
    await store.saveEvent(event("acc", 4));

    const replay = await store.getEventsWithErrors("acc");
    expect(versions(replay.events)).toEqual([1, 2, 3, 4]);
    expect(replay.errors.map((e) => e.sequence)).toEqual([
      badJson,
      wrongSchema,
      wrongActor,
      duplicate,
      ahead,
      emptyBatch,
    ]);
    const [json, schema, actor, dup, gap, empty] = replay.errors;
    expect(json).toMatchObject({ raw: "{not json", error: expect.stringMatching(/invalid JSON/) });
    expect(schema!.error).toMatch(/id/);
    expect(schema!.error).toMatch(/version/);
    expect(actor!.error).toMatch(/belongs to actor "someone-else"/);
    expect(dup!.error).toMatch(/version 2 is already stored/);
    expect(gap!.error).toMatch(/version 9 does not follow/);
    expect(empty!.error).toMatch(/empty batch/);

    expect(await store.getEvents("acc")).toEqual(replay.events);
    expect(versions(await store.getEvents("acc", 3))).toEqual([3, 4]);
    expect((await store.getEventsWithErrors("acc", 4)).events.map((e) => e.version)).toEqual([4]);
    expect(await store.getLatestVersion("acc")).toBe(4);
  });

  it("finds the true latest version when a foreign message ends the history", async () => {
    const { store, injectRaw } = await setup();
    for (let v = 1; v <= 3; v++) await store.saveEvent(event("acc", v));
    await injectRaw("acc", stored("acc", 1));
    expect(await store.getLatestVersion("acc")).toBe(3);
    await injectRaw("acc", "garbage");
    expect(await store.getLatestVersion("acc")).toBe(3);
    const conflict = await store.saveEvent(event("acc", 3)).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: "VERSION_CONFLICT", currentVersion: 3 });
    await store.saveEvent(event("acc", 4));
    expect(versions(await store.getEvents("acc"))).toEqual([1, 2, 3, 4]);
    expect((await store.getEventsWithErrors("acc")).errors).toHaveLength(2);
  });

  it("accepts a well-formed foreign event that carries the next version, as replay does", async () => {
    const { store, injectRaw } = await setup();
    await store.saveEvent(event("acc", 1));
    await injectRaw("acc", stored("acc", 2));
    expect(await store.getLatestVersion("acc")).toBe(2);
    await store.saveEvent(event("acc", 3));
    const replay = await store.getEventsWithErrors("acc");
    expect(versions(replay.events)).toEqual([1, 2, 3]);
    expect(replay.errors).toEqual([]);
    expect(await store.getEvents("acc")).toEqual(replay.events);
  });

  it("never lets another actor's event through a shared hashed subject", async () => {
    const { store, injectRaw } = await setup();
    // Ids this long map to a SHA-256 token; pretend another id collided with it.
    const longId = `${"x".repeat(1000)}-a`;
    await store.saveEvent(event(longId, 1));
    const intruder = await injectRaw(longId, stored(`${"x".repeat(1000)}-b`, 2));
    await store.saveEvent(event(longId, 2));
    const replay = await store.getEventsWithErrors(longId);
    expect(versions(replay.events)).toEqual([1, 2]);
    expect(replay.events.every((e) => e.actorId === longId)).toBe(true);
    expect(replay.errors).toMatchObject([
      { sequence: intruder, error: expect.stringMatching(/belongs to actor/) },
    ]);
  });

  it("keeps reading a long history correctly when it holds foreign messages", async () => {
    const { store, injectRaw } = await setup();
    for (let v = 1; v <= 40; v++) {
      await store.saveEvent(event("acc", v));
      if (v % 10 === 0) await injectRaw("acc", stored("acc", v - 5));
    }
    expect(versions(await store.getEvents("acc"))).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(versions(await store.getEvents("acc", 35))).toEqual([35, 36, 37, 38, 39, 40]);
    const streamed: number[] = [];
    for await (const e of store.readEvents("acc", { fromVersion: 20 })) streamed.push(e.version);
    expect(streamed).toEqual(Array.from({ length: 21 }, (_, i) => i + 20));
    expect((await store.getEventsWithErrors("acc")).errors).toHaveLength(4);
  });
});
