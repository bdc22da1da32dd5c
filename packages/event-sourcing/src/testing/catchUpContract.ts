import { AetherError, DomainEventRecorder, type NewEvent } from "@aether/kernel";
import { describe, expect, it } from "vitest";
import type { CatchUpItem, CatchUpSubscription } from "../allEvents.js";
import type { EventStore } from "../eventStore.js";
import type { EventStoreFactory } from "./eventStoreContract.js";

let counter = 0;

function deposit(actorId: string, version: number, eventType = "Deposited"): NewEvent {
  return {
    id: `${actorId}-${version}-${Math.random().toString(36).slice(2)}`,
    eventType,
    actorId,
    version,
    data: { amount: version },
  };
}

/** Reads items until `until` holds for the items so far, then closes the subscription. */
async function collect(
  subscription: CatchUpSubscription,
  until: (items: CatchUpItem[]) => boolean,
): Promise<CatchUpItem[]> {
  const items: CatchUpItem[] = [];
  for await (const item of subscription) {
    items.push(item);
    if (until(items)) break;
  }
  return items;
}

const eventsOf = (items: CatchUpItem[]) =>
  items.flatMap((item) => (item.type === "event" ? [item] : []));
const idsOf = (items: CatchUpItem[]) => eventsOf(items).map((item) => item.event.id);

/**
 * The namespace-wide read and the catch-up subscription, as every EventStore must show them.
 * Part of describeEventStoreContract.
 */
export function describeCatchUpContract(name: string, factory: EventStoreFactory): void {
  const setup = async (): Promise<EventStore> =>
    factory({
      namespace: `catchup-${Date.now().toString(36)}-${++counter}`,
      publisher: new DomainEventRecorder(),
    });

  describe(`${name} reads and subscribes to a whole namespace`, () => {
    it("readAll returns every event in append order with growing positions; a batch shares one", async () => {
      const store = await setup();
      await store.saveEvent(deposit("a", 1));
      await store.saveEvent(deposit("b", 1));
      await store.saveEvents([deposit("a", 2), deposit("a", 3)]);
      await store.saveEvent(deposit("c", 1));
      const all = [];
      for await (const item of store.readAll()) all.push(item);
      expect(all.map((p) => `${p.event.actorId}${p.event.version}`)).toEqual([
        "a1",
        "b1",
        "a2",
        "a3",
        "c1",
      ]);
      const positions = all.map((p) => p.position);
      expect(positions[0]).toBeGreaterThanOrEqual(1);
      expect(positions[2]).toBe(positions[3]);
      expect(new Set(positions).size).toBe(4);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      const fromThird = [];
      for await (const item of store.readAll({ from: positions[2]! })) fromThird.push(item);
      expect(fromThird.map((p) => p.event.id)).toEqual(all.slice(2).map((p) => p.event.id));
    });

    it("getAllEventsWithErrors pages through the namespace without splitting a batch", async () => {
      const store = await setup();
      for (let v = 1; v <= 3; v++) await store.saveEvent(deposit("a", v));
      await store.saveEvents([deposit("b", 1), deposit("b", 2)]);
      const ids: string[] = [];
      let from = 0;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.getAllEventsWithErrors({ from, limit: 2 });
        expect(page.errors).toEqual([]);
        if (page.events.length === 0) {
          expect(page.nextPosition).toBe(Math.max(1, from));
          break;
        }
        ids.push(...page.events.map((p) => p.event.id));
        expect(page.nextPosition).toBe(page.events[page.events.length - 1]!.position + 1);
        from = page.nextPosition;
      }
      const all = [];
      for await (const item of store.readAll()) all.push(item.event.id);
      expect(ids).toEqual(all);
      expect(ids).toHaveLength(5);
    });

    it("refuses a negative or fractional position", async () => {
      const store = await setup();
      expect(() => store.subscribeAll({ from: -1 })).toThrow(AetherError);
      await expect(store.getAllEventsWithErrors({ from: 1.5 })).rejects.toThrow(/from must be/);
    });

    it("subscribeAll delivers the stored events, caughtUp once, then live ones", async () => {
      const store = await setup();
      for (let v = 1; v <= 5; v++) await store.saveEvent(deposit("a", v));
      const subscription = store.subscribeAll({ from: 0 });
      const items: CatchUpItem[] = [];
      const done = collect(subscription, (seen) => {
        items.splice(0, items.length, ...seen);
        return eventsOf(seen).length === 8;
      });
      const head = await subscription.caughtUp;
      for (let v = 6; v <= 8; v++) await store.saveEvent(deposit("a", v));
      const seen = await done;
      expect(seen.map((item) => item.type)).toEqual([
        ...Array<string>(5).fill("event"),
        "caughtUp",
        ...Array<string>(3).fill("event"),
      ]);
      expect(eventsOf(seen).map((item) => item.event.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(head).toBe(eventsOf(seen)[4]!.position);
      expect(subscription.position).toBe(eventsOf(seen)[7]!.position);
    });

    it("subscribeAll on an empty namespace is caught up at once", async () => {
      const store = await setup();
      const subscription = store.subscribeAll();
      const done = collect(subscription, (seen) => seen.length === 2);
      expect(await subscription.caughtUp).toBe(0);
      await store.saveEvent(deposit("a", 1));
      const seen = await done;
      expect(seen[0]).toEqual({ type: "caughtUp", position: 0 });
      expect(seen[1]).toMatchObject({ type: "event", lastInPosition: true });
    });

    it("subscribeAll neither skips nor repeats an event while appends race the catch-up", async () => {
      const store = await setup();
      for (let v = 1; v <= 50; v++) await store.saveEvent(deposit(`x${v % 7}`, Math.ceil(v / 7)));
      const subscription = store.subscribeAll();
      const writing = (async () => {
        for (let v = 1; v <= 60; v++) await store.saveEvent(deposit("late", v));
      })();
      const seen = await collect(subscription, (items) => eventsOf(items).length === 110);
      await writing;
      const stored = [];
      for await (const item of store.readAll()) stored.push(item.event.id);
      expect(idsOf(seen)).toEqual(stored);
      expect(seen.filter((item) => item.type === "caughtUp")).toHaveLength(1);
    });

    it("subscribeAll starts at `from` and filters by event type and actor", async () => {
      const store = await setup();
      await store.saveEvent(deposit("a", 1));
      await store.saveEvent(deposit("b", 1, "Withdrawn"));
      await store.saveEvents([deposit("a", 2, "Withdrawn"), deposit("a", 3)]);
      await store.saveEvent(deposit("c", 1));
      const all = [];
      for await (const item of store.readAll()) all.push(item);
      const byType = await collect(store.subscribeAll({ eventTypes: ["Deposited"] }), (items) =>
        items.some((item) => item.type === "caughtUp"),
      );
      expect(eventsOf(byType).map((i) => `${i.event.actorId}${i.event.version}`)).toEqual([
        "a1",
        "a3",
        "c1",
      ]);
      expect(eventsOf(byType).every((item) => item.lastInPosition)).toBe(true);
      const byActor = await collect(
        store.subscribeAll({ from: all[1]!.position, actorIds: ["a"] }),
        (items) => items.some((item) => item.type === "caughtUp"),
      );
      expect(eventsOf(byActor).map((i) => [i.event.version, i.lastInPosition])).toEqual([
        [2, false],
        [3, true],
      ]);
    });

    it("close() ends a subscription that waits for live events", async () => {
      const store = await setup();
      await store.saveEvent(deposit("a", 1));
      const subscription = store.subscribeAll();
      const seen: CatchUpItem[] = [];
      const done = (async () => {
        for await (const item of subscription) seen.push(item);
      })();
      await subscription.caughtUp;
      await subscription.close();
      await done;
      expect(seen.map((item) => item.type)).toEqual(["event", "caughtUp"]);
    });

    it("a subscription sees only its own namespace", async () => {
      const store = await setup();
      const other = await setup();
      await other.saveEvent(deposit("a", 1));
      await store.saveEvent(deposit("a", 1));
      const seen = await collect(store.subscribeAll(), (items) =>
        items.some((item) => item.type === "caughtUp"),
      );
      expect(eventsOf(seen)).toHaveLength(1);
    });
  });
}
