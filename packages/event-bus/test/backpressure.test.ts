import { ManualClock, type Event } from "@aether/kernel";
import { describe, expect, it } from "vitest";
import { closedAfterEachTest } from "./fixtures/localBuses.js";
import { makeEvent } from "./fixtures/events.js";
import { captureLogs } from "@aether/test-support";

const newBus = closedAfterEachTest();

const yieldToReaders = () => new Promise((resolve) => setImmediate(resolve));

describe("event-bus: backpressure", () => {
  it("a subscriber that never reads loses only its own events while another reads them all", async () => {
    const bus = newBus();
    const total = 5_000;
    const bufferSize = 16;
    const stalled = bus.subscribe("t", { bufferSize });
    const reader = bus.subscribe("t", { bufferSize });
    const received: Event[] = [];
    const reading = (async () => {
      for await (const event of reader) {
        received.push(event);
        if (received.length === total) break;
      }
    })();
    const published: Event[] = [];
    for (let i = 0; i < total; i++) {
      const event = makeEvent({ data: { i } });
      published.push(event);
      expect(bus.publish("t", event)).toBeUndefined();
      // The reader keeps up as long as it gets a turn before its own buffer fills.
      if (i % (bufferSize / 2) === 0) await yieldToReaders();
    }
    await reading;
    expect(received).toEqual(published);
    expect(reader.dropped).toBe(0);
    expect(stalled.dropped).toBe(total - bufferSize);
    const [info] = bus.getSubscriptions();
    expect(info).toMatchObject({
      id: stalled.id,
      pending: bufferSize,
      dropped: total - bufferSize,
    });
  });

  it("keeps the oldest events and drops the newest", async () => {
    const bus = newBus();
    const subscription = bus.subscribe("t", { bufferSize: 3 });
    const events = Array.from({ length: 5 }, (_, i) => makeEvent({ data: { i } }));
    for (const event of events) bus.publish("t", event);
    expect(subscription.dropped).toBe(2);
    const kept: Event[] = [];
    for await (const event of subscription) {
      kept.push(event);
      if (kept.length === 3) break;
    }
    expect(kept).toEqual(events.slice(0, 3));
  });

  it("publish returns at once while a callback never finishes", async () => {
    const bus = newBus();
    let calls = 0;
    const hung = bus.subscribe("t", {
      bufferSize: 10,
      onEvent: () => {
        calls++;
        return new Promise<void>(() => {});
      },
    });
    const total = 10_000;
    for (let i = 0; i < total; i++) bus.publish("t", makeEvent());
    await yieldToReaders();
    for (let i = 0; i < 100; i++) bus.publish("t", makeEvent());
    // One event is with the callback, ten wait in the buffer, every other one was dropped.
    expect(calls).toBe(1);
    expect(hung.dropped).toBe(total + 100 - 11);
  });

  it("a slow callback subscriber does not delay a fast one", async () => {
    const bus = newBus();
    const fastSeen: number[] = [];
    const release = new Promise<void>(() => {});
    bus.subscribe("t", { bufferSize: 4, onEvent: () => release });
    bus.subscribe("t", { onEvent: (event) => void fastSeen.push((event.data as { i: number }).i) });
    for (let i = 0; i < 100; i++) bus.publish("t", makeEvent({ data: { i } }));
    await yieldToReaders();
    expect(fastSeen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("logs drops at most once per interval, with how many it held back", () => {
    const clock = new ManualClock(0);
    const { logger, lines } = captureLogs({ level: "warn" });
    const bus = newBus({ logger, clock, logIntervalMs: 1_000, nodeId: "n1" });
    const subscription = bus.subscribe("t", { bufferSize: 1 });
    for (let i = 0; i < 101; i++) bus.publish("t", makeEvent());
    expect(subscription.dropped).toBe(100);
    expect(lines).toHaveLength(1);
    expect(lines[0]!).toMatchObject({
      subscriptionId: subscription.id,
      pattern: "t",
      dropped: 1,
      droppedSinceLastWarning: 1,
    });
    clock.advance(999);
    bus.publish("t", makeEvent());
    expect(lines).toHaveLength(1);
    clock.advance(1);
    bus.publish("t", makeEvent());
    expect(lines).toHaveLength(2);
    expect(lines[1]!).toMatchObject({ dropped: 102, droppedSinceLastWarning: 101 });
  });

  it("counts drops per subscription", () => {
    const bus = newBus();
    const small = bus.subscribe("t", { bufferSize: 2 });
    const large = bus.subscribe("t", { bufferSize: 5 });
    const filtered = bus.subscribe("t", { bufferSize: 1, eventTypes: ["Rare"] });
    for (let i = 0; i < 10; i++) bus.publish("t", makeEvent());
    expect([small.dropped, large.dropped, filtered.dropped]).toEqual([8, 5, 0]);
  });
});
