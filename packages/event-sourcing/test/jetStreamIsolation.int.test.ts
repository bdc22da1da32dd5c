import { JetStreamEventStore, JetStreamSnapshotStore } from "@aether/event-sourcing/jetstream";
import { hostileActorIds } from "@aether/event-sourcing/testing";
import { isAetherError, type NewEvent } from "@aether/kernel";
import { natsTestContextForFile, uniqueName } from "@aether/test-support";
import { describe, expect, it } from "vitest";

const nats = natsTestContextForFile();

function event(actorId: string, version: number, data: unknown): NewEvent {
  return {
    id: `e-${Math.random().toString(36).slice(2)}`,
    eventType: "Tagged",
    actorId,
    version,
    data,
  };
}

describe("JetStream stores keep namespaces and actors apart", () => {
  it("gives a.b, a_b and a-b their own streams, buckets and histories", async () => {
    const base = uniqueName("iso").replaceAll("-", "");
    const namespaces = [`${base}.a.b`, `${base}.a_b`, `${base}.a-b`, `${base}.a`, `${base}.ab`];
    const stores = namespaces.map((namespace) => new JetStreamEventStore(nats.nc, { namespace }));
    const snapshots = namespaces.map(
      (namespace) => new JetStreamSnapshotStore(nats.nc, { namespace }),
    );
    expect(new Set(stores.map((s) => s.streamName)).size).toBe(namespaces.length);
    expect(new Set(snapshots.map((s) => s.bucketName)).size).toBe(namespaces.length);
    // The same actor ids everywhere, including ids that look like subject tokens of another namespace.
    const actorIds = ["b", "b.x", "x", "*", ">"];
    for (const [index, store] of stores.entries()) {
      for (const actorId of actorIds) {
        await store.saveEvent(event(actorId, 1, { namespace: namespaces[index], actorId }));
      }
      await snapshots[index]!.saveSnapshot({
        actorId: "b",
        version: 1,
        state: { namespace: namespaces[index] },
        timestamp: new Date().toISOString(),
      });
    }
    for (const [index, store] of stores.entries()) {
      for (const actorId of actorIds) {
        const replay = await store.getEventsWithErrors(actorId);
        expect(replay.errors).toEqual([]);
        expect(replay.events.map((e) => e.data)).toEqual([
          { namespace: namespaces[index], actorId },
        ]);
      }
      expect((await snapshots[index]!.getLatestSnapshot("b"))?.state).toEqual({
        namespace: namespaces[index],
      });
    }
  });

  it("refuses namespaces with wildcards, spaces or empty tokens, saying what is wrong", () => {
    for (const namespace of ["*", "a.>", "a b", "a..b", "", "tenant.*"]) {
      let error: unknown;
      try {
        new JetStreamEventStore(nats.nc, { namespace });
      } catch (caught) {
        error = caught;
      }
      expect(isAetherError(error, "INVALID_NAMESPACE"), namespace).toBe(true);
      expect(() => new JetStreamSnapshotStore(nats.nc, { namespace })).toThrow(/namespace/i);
    }
  });

  it("stores hostile actor ids without one reading another", async () => {
    const store = new JetStreamEventStore(nats.nc, { namespace: uniqueName("iso-actors") });
    const ids = [
      ...hostileActorIds,
      "*",
      ">",
      "a.*",
      "a.>",
      " ",
      " a ",
      "\u0000",
      "é",
      "e\u0301",
      "𝔸",
      "👩‍👩‍👧",
      "ﬁ",
      "a".repeat(1023),
      "ä".repeat(1024),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    await Promise.all(ids.map((actorId) => store.saveEvent(event(actorId, 1, { actorId }))));
    await Promise.all(ids.map((actorId) => store.saveEvent(event(actorId, 2, { actorId }))));
    for (const actorId of ids) {
      const replay = await store.getEventsWithErrors(actorId);
      expect(replay.errors, JSON.stringify(actorId)).toEqual([]);
      expect(replay.events.map((e) => [e.actorId, e.version, e.data])).toEqual([
        [actorId, 1, { actorId }],
        [actorId, 2, { actorId }],
      ]);
      expect(await store.getLatestVersion(actorId)).toBe(2);
    }
  });
});
