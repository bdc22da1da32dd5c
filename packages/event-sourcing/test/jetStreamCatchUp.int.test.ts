import type { CatchUpItem } from "@aether/event-sourcing";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import type { NewEvent } from "@aether/kernel";
import { actorSubject } from "@aether/namespace/naming";
import { connectTo, NatsServer, uniqueName, waitFor } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, inject, it } from "vitest";
import { AppendLoop, acknowledgedCount } from "./fixtures/appendLoop.js";

function deposit(actorId: string, version: number): NewEvent {
  return {
    id: `${actorId}-${version}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { amount: 1 },
  };
}

async function storedIds(store: JetStreamEventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of store.readAll()) ids.push(item.event.id);
  return ids;
}

describe("JetStreamEventStore namespace reads and catch-up subscriptions", () => {
  it("reports a malformed stored message at its position and goes on past it", async () => {
    const nc = await connectTo(inject("natsUrl"));
    try {
      const namespace = uniqueName("malformed");
      const store = new JetStreamEventStore(nc, { namespace: namespace });
      await store.saveEvent(deposit("a", 1));
      await nc.request(actorSubject(namespace, "a"), "{not json");
      await store.saveEvent(deposit("a", 2));
      const page = await store.getAllEventsWithErrors();
      expect(page.events.map((p) => [p.position, p.event.id])).toEqual([
        [1, "a-1"],
        [3, "a-2"],
      ]);
      expect(page.errors).toEqual([
        { sequence: 2, raw: "{not json", error: expect.stringMatching(/invalid JSON/) as unknown },
      ]);
      expect(page.nextPosition).toBe(4);
      const reported: number[] = [];
      const read: string[] = [];
      for await (const item of store.readAll({ onError: (e) => reported.push(e.sequence) })) {
        read.push(item.event.id);
      }
      expect([read, reported]).toEqual([["a-1", "a-2"], [2]]);
      const items: CatchUpItem[] = [];
      for await (const item of store.subscribeAll()) {
        items.push(item);
        if (item.type === "caughtUp") break;
      }
      expect(items.map((item) => `${item.type}@${item.position}`)).toEqual([
        "event@1",
        "malformed@2",
        "event@3",
        "caughtUp@3",
      ]);
      // Leaving the loop removed the subscription's consumer, and every read's before it.
      const jsm = await jetstreamManager(nc);
      await waitFor(async () => (await jsm.consumers.list(store.streamName).next()).length === 0);
    } finally {
      await nc.close();
    }
  });

  it("pulls only as fast as the subscriber reads: a paused reader holds at most two pulls", async () => {
    const nc = await connectTo(inject("natsUrl"));
    try {
      const store = new JetStreamEventStore(nc, { namespace: uniqueName("backpressure") });
      const actors = Array.from({ length: 100 }, (_, i) => `acc-${i}`);
      for (let version = 1; version <= 50; version++) {
        await Promise.all(actors.map((actorId) => store.saveEvent(deposit(actorId, version))));
      }
      const subscription = store.subscribeAll();
      const iterator = subscription[Symbol.asyncIterator]();
      await iterator.next();
      const jsm = await jetstreamManager(nc);
      const delivered = async () => {
        const consumers = await jsm.consumers.list(store.streamName).next();
        return consumers[0]?.delivered.stream_seq ?? 0;
      };
      // The reader is paused: whatever the server delivered is what the client holds.
      await waitFor(async () => (await delivered()) > 0);
      expect(await delivered()).toBeLessThanOrEqual(2 * 256 + 1);
      let count = 1;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true || next.value.type === "caughtUp") break;
        count++;
      }
      expect(count).toBe(5000);
      await subscription.close();
    } finally {
      await nc.close();
    }
  });

  it(
    "survives a kill -9 and restart of nats-server: resumes after its last position, no gap, no repeat",
    { timeout: 60_000 },
    async () => {
      await using server = await NatsServer.start();
      const nc = await connectTo(server.url);
      try {
        const store = new JetStreamEventStore(nc, {
          namespace: uniqueName("restart"),
          timeoutMs: 1_500,
          requestTimeoutMs: 500,
        });
        const loops = ["a", "b", "c"].map((actorId) => new AppendLoop(store, actorId));
        const subscription = store.subscribeAll();
        const seen: string[] = [];
        const reading = (async () => {
          for await (const item of subscription)
            if (item.type === "event") seen.push(item.event.id);
        })();
        await waitFor(() => seen.length >= 100, { timeoutMs: 20_000 });
        await server.kill();
        await server.restart();
        const before = acknowledgedCount(loops);
        await waitFor(() => acknowledgedCount(loops) >= before + 100, { timeoutMs: 30_000 });
        await Promise.all(loops.map((loop) => loop.stop()));
        const stored = await storedIds(store);
        await waitFor(() => seen.length >= stored.length, {
          timeoutMs: 20_000,
          description: "the subscription delivered every stored event",
        });
        await subscription.close();
        await reading;
        expect(seen).toEqual(stored);
        expect(new Set(seen).size).toBe(seen.length);
      } finally {
        await nc.close();
      }
    },
  );
});
