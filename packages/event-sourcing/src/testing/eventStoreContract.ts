import { isAetherError, DomainEventRecorder, type Event, type NewEvent } from "@aether/kernel";
import { VersionConflictError, isVersionConflict } from "@aether/occ";
import { describe, expect, it } from "vitest";
import type { EventStore } from "../eventStore.js";
import { describeCatchUpContract } from "./catchUpContract.js";

export interface EventStoreContext {
  /** A namespace no other test uses. */
  namespace: string;
  /** The store must publish its domain events here. */
  publisher: DomainEventRecorder;
}

export type EventStoreFactory = (context: EventStoreContext) => EventStore | Promise<EventStore>;

let namespaceCounter = 0;

function freshContext(): EventStoreContext {
  return {
    namespace: `contract-${Date.now().toString(36)}-${++namespaceCounter}`,
    publisher: new DomainEventRecorder(),
  };
}

function event(actorId: string, version: number, extra: Partial<NewEvent> = {}): NewEvent {
  return {
    id: `${actorId}-v${version}-${Math.random().toString(36).slice(2)}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { amount: version * 10 },
    ...extra,
  };
}

async function saveVersions(store: EventStore, actorId: string, count: number): Promise<void> {
  for (let version = 1; version <= count; version++) await store.saveEvent(event(actorId, version));
}

async function conflictOf(promise: Promise<unknown>): Promise<VersionConflictError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, "expected a VersionConflictError").toBeInstanceOf(VersionConflictError);
  return error as VersionConflictError;
}

/** Actor ids that differ only in characters that are special somewhere (NATS, paths, JSON). */
export const hostileActorIds: readonly string[] = [
  "a.b",
  "a_b",
  "a-b",
  "a b",
  "a*",
  "a>",
  "a/b",
  "a\\b",
  "a:b",
  "a_2Eb",
  "A.B",
  "a\tb",
  "a\nb",
  "ä.b",
  "🦄.b",
  "日本.b",
  '"a"',
  "a".repeat(1024),
  `${"a".repeat(1023)}b`,
];

/**
 * The behaviour every EventStore must show, as a vitest suite. Run it against each
 * implementation: `describeEventStoreContract("MyStore", ({ namespace, publisher }) => …)`.
 */
export function describeEventStoreContract(name: string, factory: EventStoreFactory): void {
  const setup = async () => {
    const context = freshContext();
    return { ...context, store: await factory(context) };
  };

  describe(`${name} satisfies the EventStore contract`, () => {
    it("starts every actor at version 1", async () => {
      const { store } = await setup();
      const conflict = await conflictOf(store.saveEvent(event("acc-1", 2)));
      expect(conflict.currentVersion).toBe(0);
      expect(conflict.attemptedVersion).toBe(2);
      await store.saveEvent(event("acc-1", 1));
      expect(await store.getLatestVersion("acc-1")).toBe(1);
    });

    it("stores gapless versions and returns them ascending", async () => {
      const { store } = await setup();
      await saveVersions(store, "acc-1", 5);
      const events = await store.getEvents("acc-1");
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      expect(events.map((e) => e.data)).toEqual([1, 2, 3, 4, 5].map((v) => ({ amount: v * 10 })));
      expect(await store.getLatestVersion("acc-1")).toBe(5);
    });

    it("refuses a gap with the true currentVersion", async () => {
      const { store } = await setup();
      await saveVersions(store, "acc-1", 2);
      const conflict = await conflictOf(store.saveEvent(event("acc-1", 4)));
      expect(conflict).toMatchObject({ actorId: "acc-1", attemptedVersion: 4, currentVersion: 2 });
      expect(conflict.code).toBe("VERSION_CONFLICT");
    });

    it("refuses a stale version and keeps the first writer's event", async () => {
      const { store } = await setup();
      await saveVersions(store, "acc-1", 2);
      const original = (await store.getEvents("acc-1"))[1]!;
      const conflict = await conflictOf(store.saveEvent(event("acc-1", 2, { eventType: "Late" })));
      expect(conflict).toMatchObject({ attemptedVersion: 2, currentVersion: 2 });
      const stale = await conflictOf(store.saveEvent(event("acc-1", 1)));
      expect(stale.currentVersion).toBe(2);
      const events = await store.getEvents("acc-1");
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual(original);
    });

    it("refuses the very same event saved twice", async () => {
      const { store } = await setup();
      const first = event("acc-1", 1);
      await store.saveEvent(first);
      const conflict = await conflictOf(store.saveEvent(first));
      expect(conflict).toMatchObject({ attemptedVersion: 1, currentVersion: 1 });
      expect(await store.getEvents("acc-1")).toHaveLength(1);
    });

    it("reads from fromVersion inclusive", async () => {
      const { store } = await setup();
      await saveVersions(store, "acc-1", 5);
      expect((await store.getEvents("acc-1", 3)).map((e) => e.version)).toEqual([3, 4, 5]);
      expect((await store.getEvents("acc-1", 5)).map((e) => e.version)).toEqual([5]);
      expect(await store.getEvents("acc-1", 6)).toEqual([]);
      expect((await store.getEvents("acc-1", 1)).map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    });

    it("reports version 0 and no events for an unknown actor", async () => {
      const { store } = await setup();
      expect(await store.getLatestVersion("nobody")).toBe(0);
      expect(await store.getEvents("nobody")).toEqual([]);
      expect(await store.getEventsWithErrors("nobody")).toEqual({ events: [], errors: [] });
    });

    it("keeps what was given and fills in a missing timestamp", async () => {
      const { store } = await setup();
      const given: NewEvent = {
        id: "evt-given",
        eventType: "AccountOpened",
        actorId: "acc-1",
        version: 1,
        data: { owner: "Zoë 🦄", tags: ["a", "b"], nested: { ok: true, n: null, x: 1.5 } },
        metadata: { correlationId: "c-1", commandId: "cmd-1" },
        timestamp: "2026-01-02T03:04:05.678Z",
      };
      await store.saveEvent(given);
      await store.saveEvent(event("acc-1", 2));
      const [first, second] = await store.getEvents("acc-1");
      expect(first).toEqual(given);
      expect(Number.isNaN(Date.parse(second!.timestamp))).toBe(false);
    });

    it("rejects a malformed event with an error naming the field", async () => {
      const { store } = await setup();
      const bad = { ...event("acc-1", 1), eventType: "" };
      const error = await store.saveEvent(bad).catch((e: unknown) => e);
      expect(isAetherError(error)).toBe(true);
      expect((error as Error).message).toMatch(/eventType/);
      expect(await store.getLatestVersion("acc-1")).toBe(0);
    });

    it("refuses, before anything is stored, data that JSON would drop or change", async () => {
      const { store, publisher } = await setup();
      const deep: Record<string, unknown> = {};
      let level = deep;
      for (let i = 0; i < 300; i++) level = level["next"] = {};
      const refused: [unknown, RegExp][] = [
        [() => 1, /data: is a function/],
        [Symbol("s"), /data: is a symbol/],
        [{ toJSON: () => undefined }, /data: has a toJSON\(\) that returns undefined/],
        [{ amount: NaN }, /data\.amount: is NaN/],
        [{ tags: new Set(["a"]) }, /data\.tags: is a Set/],
        [
          JSON.parse('{"ok":{"__proto__":{"admin":true}}}'),
          /data\.ok\.__proto__: is a key named __proto__/,
        ],
        [deep, /nested deeper than 256 levels/],
      ];
      for (const [data, message] of refused) {
        const error = await store.saveEvent(event("acc-1", 1, { data })).catch((e: unknown) => e);
        expect(isAetherError(error, "INVALID_EVENT"), String(message)).toBe(true);
        expect((error as Error).message).toMatch(message);
        const batch = [event("acc-1", 1), event("acc-1", 2, { data }), event("acc-1", 3)];
        const batchError = await store.saveEvents(batch).catch((e: unknown) => e);
        expect(isAetherError(batchError, "INVALID_EVENT"), String(message)).toBe(true);
      }
      const metadata = JSON.parse('{"__proto__":"x","k":"v"}') as Record<string, string>;
      const metadataError = await store
        .saveEvent(event("acc-1", 1, { metadata }))
        .catch((e: unknown) => e);
      expect((metadataError as Error).message).toMatch(
        /metadata: must not have a key named __proto__/,
      );
      expect(await store.getLatestVersion("acc-1")).toBe(0);
      expect(await store.getEventsWithErrors("acc-1")).toEqual({ events: [], errors: [] });
      expect(publisher.ofType("EventStored")).toEqual([]);
      // Nothing was stored, so version 1 is still free and the event is read back whole.
      const faithful = { ...event("acc-1", 1), data: { a: [{ toJSON: () => "x" }, undefined] } };
      await store.saveEvent(faithful);
      expect((await store.getEvents("acc-1"))[0]?.data).toEqual({ a: ["x", null] });
    });

    it("appends a batch atomically", async () => {
      const { store } = await setup();
      await store.saveEvents([event("acc-1", 1), event("acc-1", 2), event("acc-1", 3)]);
      expect(await store.getLatestVersion("acc-1")).toBe(3);

      const conflict = await conflictOf(store.saveEvents([event("acc-1", 3), event("acc-1", 4)]));
      expect(conflict.currentVersion).toBe(3);
      await expect(store.saveEvents([event("acc-1", 4), event("acc-1", 6)])).rejects.toThrow(
        /version/,
      );
      await expect(store.saveEvents([event("acc-1", 4), event("other", 5)])).rejects.toThrow(
        /actor/,
      );
      expect((await store.getEvents("acc-1")).map((e) => e.version)).toEqual([1, 2, 3]);
      expect(await store.getLatestVersion("other")).toBe(0);
    });

    it("accepts an empty batch as storing nothing", async () => {
      const { store, publisher } = await setup();
      await store.saveEvents([]);
      await store.saveEvent(event("acc-1", 1));
      await store.saveEvents([]);
      expect(await store.getLatestVersion("acc-1")).toBe(1);
      expect(publisher.ofType("EventStored")).toHaveLength(1);
    });

    it("keeps actors whose ids differ only in special characters apart", async () => {
      const { store } = await setup();
      for (const actorId of hostileActorIds)
        await store.saveEvent(event(actorId, 1, { data: { actorId } }));
      for (const actorId of hostileActorIds) {
        const events = await store.getEvents(actorId);
        expect(events, actorId).toHaveLength(1);
        expect(events[0]).toMatchObject({ actorId, data: { actorId } });
        expect(await store.getLatestVersion(actorId)).toBe(1);
      }
    });

    it("lets exactly one of 100 concurrent writers win a version", async () => {
      const { store, publisher } = await setup();
      const writers = Array.from({ length: 100 }, (_, i) =>
        store.saveEvent(event("hot", 1, { data: { i } })),
      );
      const results = await Promise.allSettled(writers);
      const winners = results.filter((r) => r.status === "fulfilled");
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(99);
      for (const loser of losers) {
        expect(isVersionConflict(loser.reason)).toBe(true);
        expect((loser.reason as VersionConflictError).currentVersion).toBe(1);
      }
      expect(await store.getEvents("hot")).toHaveLength(1);
      expect(publisher.ofType("VersionConflict")).toHaveLength(99);
    });

    it("gives 100 racing writers that reload and retry versions 1..100, no gaps, no duplicates", async () => {
      const { store } = await setup();
      const writer = async (writerId: number) => {
        for (;;) {
          const next = (await store.getLatestVersion("hot")) + 1;
          try {
            await store.saveEvent(event("hot", next, { data: { writerId } }));
            return;
          } catch (error) {
            if (!isVersionConflict(error)) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: 100 }, (_, i) => writer(i)));
      const events = await store.getEvents("hot");
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const writerIds = new Set(events.map((e) => (e.data as { writerId: number }).writerId));
      expect(writerIds.size).toBe(100);
    });

    it("does not let callers change what is stored", async () => {
      const { store } = await setup();
      const input = event("acc-1", 1, { data: { balance: 100, items: [1] }, metadata: { k: "v" } });
      await store.saveEvent(input);
      (input.data as { balance: number }).balance = -1;
      input.metadata!["k"] = "changed";
      const [read] = await store.getEvents("acc-1");
      try {
        (read!.data as { balance: number }).balance = -2;
        (read!.data as { items: number[] }).items.push(2);
        read!.version = 99;
      } catch {
        // Frozen events refuse the write outright, which is just as good.
      }
      const [again] = await store.getEvents("acc-1");
      expect(again).toMatchObject({
        version: 1,
        data: { balance: 100, items: [1] },
        metadata: { k: "v" },
      });
    });

    it("streams the same events as getEvents", async () => {
      const { store } = await setup();
      await saveVersions(store, "acc-1", 7);
      const streamed: Event[] = [];
      for await (const e of store.readEvents("acc-1", { fromVersion: 3 })) streamed.push(e);
      expect(streamed).toEqual(await store.getEvents("acc-1", 3));
      const replay = await store.getEventsWithErrors("acc-1");
      expect(replay.errors).toEqual([]);
      expect(replay.events).toEqual(await store.getEvents("acc-1"));
    });

    it("publishes EventStored for each stored event and VersionConflict for a refused one", async () => {
      const { store, publisher, namespace } = await setup();
      await store.saveEvents([event("acc-1", 1), event("acc-1", 2)]);
      await store.saveEvent(event("acc-1", 2)).catch(() => undefined);
      expect(
        publisher.ofType("EventStored").map((e) => [e.namespace, e.actorId, e.version]),
      ).toEqual([
        [namespace, "acc-1", 1],
        [namespace, "acc-1", 2],
      ]);
      expect(publisher.ofType("VersionConflict")).toMatchObject([
        { namespace, actorId: "acc-1", attemptedVersion: 2, currentVersion: 2 },
      ]);
    });

    it("keeps namespaces apart", async () => {
      const context = freshContext();
      const a = await factory({ ...context, namespace: `${context.namespace}.a` });
      const b = await factory({ ...context, namespace: `${context.namespace}_a` });
      await a.saveEvent(event("acc-1", 1));
      expect(await b.getLatestVersion("acc-1")).toBe(0);
      expect(await b.getEvents("acc-1")).toEqual([]);
      await b.saveEvent(event("acc-1", 1));
      expect(await a.getEvents("acc-1")).toHaveLength(1);
    });
  });
  describeCatchUpContract(name, factory);
}
