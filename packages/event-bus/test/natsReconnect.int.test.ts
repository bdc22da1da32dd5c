import { NatsEventBus } from "@aether/event-bus/nats";
import { connectTo, NatsServer, waitFor } from "@aether/test-support";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeEvent } from "./fixtures/events.js";
import { record, settle, type Recorder } from "./fixtures/nats.js";

let server: NatsServer;
const connections: NatsConnection[] = [];
const buses: NatsEventBus[] = [];

beforeAll(async () => {
  server = await NatsServer.start({ jetstream: false });
});
afterAll(async () => {
  await server.dispose();
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(connections.splice(0).map((nc) => nc.close()));
});

async function newBus(nodeId: string, maxBufferedBytesWhileDisconnected?: number) {
  const nc = await connectTo(server.url, {
    reconnectTimeWait: 50,
    reconnectJitter: 0,
    maxReconnectAttempts: -1,
  });
  connections.push(nc);
  const bus = new NatsEventBus(nc, {
    nodeId,
    ...(maxBufferedBytesWhileDisconnected === undefined
      ? {}
      : { maxBufferedBytesWhileDisconnected }),
  });
  buses.push(bus);
  return bus;
}

/**
 * After a reconnect each client re-sends its subscriptions on its own schedule: publish probes
 * until one arrives, which proves the path from publisher to subscriber is whole again.
 */
async function waitUntilFlowing(from: NatsEventBus, to: NatsEventBus, ns: string, at: Recorder) {
  await waitFor(
    async () => {
      if (!from.stats().connected || !to.stats().connected) return false;
      const probe = makeEvent({ eventType: "Probe" });
      from.publish(ns, probe);
      await settle(from, to);
      return at.events.some((event) => event.id === probe.id);
    },
    { timeoutMs: 20_000, intervalMs: 50, description: "events flowing again after reconnect" },
  );
}

describe("event-bus: NatsEventBus and connection loss", () => {
  it("delivers again after the server restarts", async () => {
    const [a, b] = [await newBus("a"), await newBus("b")];
    const atB = record(b, "tenant-a", { eventTypes: ["Real"] });
    const probes = record(b, "tenant-a", { eventTypes: ["Probe"] });
    await settle(a, b);
    a.publish("tenant-a", makeEvent({ eventType: "Real" }));
    await waitFor(() => atB.events.length === 1);

    await server.restart();
    await waitFor(() => a.stats().connected && b.stats().connected, {
      description: "both buses reconnected",
    });
    await waitUntilFlowing(a, b, "tenant-a", probes);

    const after = Array.from({ length: 100 }, () => makeEvent({ eventType: "Real" }));
    for (const event of after) a.publish("tenant-a", event);
    await waitFor(() => atB.events.length === 101);
    await settle(a, b);
    expect(atB.events.slice(1)).toEqual(after);
    expect(a.stats().undecodable + b.stats().undecodable).toBe(0);
  });

  it("while disconnected, delivers locally and bounds what it queues for NATS", async () => {
    const offline = Array.from({ length: 20 }, () => makeEvent({ data: "x".repeat(200) }));
    const bytes = offline.map((event) => new TextEncoder().encode(JSON.stringify(event)).length);
    // Room for the first five offline events and half of the sixth.
    const budget = bytes.slice(0, 5).reduce((sum, n) => sum + n, 0) + Math.floor(bytes[5]! / 2);
    const [a, b] = [await newBus("a2", budget), await newBus("b2")];
    const local = record(a, "tenant-b");
    const probes = record(b, "tenant-b", { eventTypes: ["Probe"] });
    await settle(a, b);
    const sentBefore = a.stats().sent;

    await server.kill();
    await waitFor(() => !a.stats().connected, { description: "the bus saw the disconnect" });
    for (const event of offline) a.publish("tenant-b", event);
    await new Promise((resolve) => setImmediate(resolve));
    expect(local.events).toEqual(offline);
    const { sent, unsent } = a.stats();
    expect(sent - sentBefore).toBe(5);
    expect(unsent).toBe(15);

    await server.restart();
    await waitUntilFlowing(a, b, "tenant-b", probes);
    expect(a.stats().connected).toBe(true);
  });
});
