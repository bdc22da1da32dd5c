import { NatsEventBus } from "@aether/event-bus/nats";
import { NatsServer, captureLogs, connectTo, waitFor } from "@aether/test-support";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEvent } from "./fixtures/events.js";

let server: NatsServer;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  // A small outbound budget per client, so a subscriber that stops reading is cut quickly.
  server = await NatsServer.start({ extraConfig: "max_pending: 65536\nmax_payload: 16384" });
});
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await server.dispose();
});

describe("event-bus: NatsEventBus cut off as a slow consumer", () => {
  it("names the slow-consumer disconnect in the log and counts it in stats", async () => {
    const { logger, lines } = captureLogs({ level: "warn" });
    const nc = await connectTo(server.url, { maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    const admin = await connectTo(server.url);
    connections.push(nc, admin);
    const slow = new NatsEventBus(nc, { nodeId: "slow", logger });
    slow.subscribe("flood", { onEvent: () => {} });
    await slow.flush();
    // The server itself will push ~2 MB of events to the bus subject (a JetStream push
    // consumer), so it keeps sending while this process is busy.
    // (JetStream through its core NATS API: this package does not depend on the JetStream client.)
    const api = (subject: string, body: object) =>
      admin.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 5_000 });
    await api("STREAM.CREATE.FLOOD", { name: "FLOOD", subjects: ["source.flood"] });
    const payload = JSON.stringify(makeEvent({ data: { pad: "x".repeat(4000) } }));
    await Promise.all(
      Array.from({ length: 500 }, () => admin.request("source.flood", payload, { timeout: 5_000 })),
    );
    await api("CONSUMER.CREATE.FLOOD", {
      stream_name: "FLOOD",
      config: { deliver_subject: "aether.bus.flood", ack_policy: "none", deliver_policy: "all" },
    });
    // The slow node stops reading its socket (a long synchronous job) while the server keeps
    // sending: past max_pending the server closes its connection.
    const stalledUntil = performance.now() + 1_500;
    while (performance.now() < stalledUntil) {
      // the stall is the fault under test
    }
    await waitFor(() => slow.stats().slowConsumerDisconnects === 1, { timeoutMs: 10_000 });
    const warning = lines.find((line) => /slow consumer/i.test(line.msg ?? ""));
    expect(warning).toMatchObject({ stalledMs: expect.any(Number) });
    await waitFor(() => slow.stats().connected, { timeoutMs: 10_000 });
    await slow.close();
  });
});
