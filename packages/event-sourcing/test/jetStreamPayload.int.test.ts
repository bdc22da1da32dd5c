import { JetStreamEventStore, JetStreamSnapshotStore } from "@aether/event-sourcing/jetstream";
import { isAetherError, type NewEvent } from "@aether/kernel";
import { NatsServer, natsTestContextForFile } from "@aether/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAX_PAYLOAD = 65_536;

let server: NatsServer;

beforeAll(async () => {
  server = await NatsServer.start({ extraConfig: `max_payload: ${MAX_PAYLOAD}` });
});

afterAll(async () => {
  await server?.dispose();
});

// Registered after the server's hooks: opens once it runs, closes before it stops.
const nats = natsTestContextForFile(() => ({ servers: server.url }));

function event(version: number, padding: number): NewEvent {
  return {
    id: `evt-${version}`,
    eventType: "Uploaded",
    actorId: "doc-1",
    version,
    data: { blob: "x".repeat(padding) },
    timestamp: "2026-01-01T00:00:00.000Z",
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, "expected the call to fail").toBeInstanceOf(Error);
  return error as Error;
}

describe("JetStreamEventStore near and over the server's max_payload", () => {
  it("stores an event just under the limit and reads it back on every path", async () => {
    const store = new JetStreamEventStore(nats.nc, { namespace: "payload-near" });
    // Leave room for the envelope and the store's headers (a few hundred bytes).
    const big = event(1, MAX_PAYLOAD - 1_024);
    await store.saveEvent(big);
    await store.saveEvent(event(2, 10));
    const [first] = await store.getEvents("doc-1");
    expect(first).toEqual(big);
    expect((await store.getEventsWithErrors("doc-1")).events[0]).toEqual(big);
    expect(await store.getLatestVersion("doc-1")).toBe(2);
  });

  it("refuses an event over the limit with PAYLOAD_TOO_LARGE and stores nothing", async () => {
    const store = new JetStreamEventStore(nats.nc, { namespace: "payload-over" });
    const error = await failure(store.saveEvent(event(1, MAX_PAYLOAD)));
    expect(isAetherError(error, "PAYLOAD_TOO_LARGE")).toBe(true);
    expect(error.message).toMatch(/max_payload of 65536 bytes/);
    expect((error as { retryable?: boolean }).retryable).toBe(false);
    expect(await store.getLatestVersion("doc-1")).toBe(0);
    await store.saveEvent(event(1, 10));
    expect(await store.getLatestVersion("doc-1")).toBe(1);
  });

  it("accepts an append of exactly max_payload bytes, headers included, and refuses one more", async () => {
    const store = new JetStreamEventStore(nats.nc, { namespace: "payload-exact" });
    await store.saveEvent(event(1, 10));
    const tooBig = await failure(store.saveEvent(event(2, MAX_PAYLOAD)));
    const { size, maxPayload } = (
      tooBig as unknown as { details: { size: number; maxPayload: number } }
    ).details;
    expect(maxPayload).toBe(MAX_PAYLOAD);
    const exact = MAX_PAYLOAD - (size - MAX_PAYLOAD);
    const oneOver = await failure(store.saveEvent(event(2, exact + 1)));
    expect(oneOver).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { size: MAX_PAYLOAD + 1 },
    });
    await store.saveEvent(event(2, exact));
    expect((await store.getEvents("doc-1", 2))[0]?.data).toEqual({ blob: "x".repeat(exact) });
  });

  it("refuses a batch whose events fit one by one but not together", async () => {
    const store = new JetStreamEventStore(nats.nc, { namespace: "payload-batch" });
    const batch = [event(1, 30_000), event(2, 30_000), event(3, 30_000)];
    const error = await failure(store.saveEvents(batch));
    expect(isAetherError(error, "PAYLOAD_TOO_LARGE")).toBe(true);
    expect(error.message).toMatch(/split the batch/);
    expect(await store.getLatestVersion("doc-1")).toBe(0);
    await store.saveEvents(batch.slice(0, 2));
    expect(await store.getLatestVersion("doc-1")).toBe(2);
  });

  it("refuses a snapshot over the limit and keeps the previous one", async () => {
    const snapshots = new JetStreamSnapshotStore(nats.nc, { namespace: "payload-snap" });
    const snapshot = (version: number, padding: number) => ({
      actorId: "doc-1",
      version,
      state: { blob: "y".repeat(padding) },
      timestamp: "2026-01-01T00:00:00.000Z",
    });
    await snapshots.saveSnapshot(snapshot(1, MAX_PAYLOAD - 1_024));
    const error = await failure(snapshots.saveSnapshot(snapshot(2, MAX_PAYLOAD)));
    expect(isAetherError(error, "PAYLOAD_TOO_LARGE")).toBe(true);
    expect((await snapshots.getLatestSnapshot("doc-1"))?.version).toBe(1);
  });
});
