import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { isAetherError, type Logger } from "@aether/kernel";
import { connectTo, NatsServer, uniqueName, waitFor } from "@aether/test-support";
import { describe, expect, it } from "vitest";
import { AppendLoop, acknowledgedCount, expectNothingLost } from "./fixtures/appendLoop.js";

// Short timeouts keep the faults quick; the behaviour does not depend on their length.
const timeouts = { timeoutMs: 1_500, requestTimeoutMs: 500 };

/** Records log messages; enough of a pino logger for the stores. */
function recordingLogger(messages: string[]): Logger {
  const record = (_bindings: unknown, message?: string) => {
    if (message !== undefined) messages.push(message);
  };
  const logger = {
    level: "debug",
    child: () => logger,
    trace: record,
    debug: record,
    info: record,
    warn: record,
    error: record,
    fatal: record,
  };
  return logger as unknown as Logger;
}

describe("JetStreamEventStore when its nats-server fails", () => {
  it(
    "loses no acknowledged append when the server is killed -9 and restarted",
    { timeout: 60_000 },
    async () => {
      await using server = await NatsServer.start();
      const nc = await connectTo(server.url);
      try {
        const store = new JetStreamEventStore(nc, { namespace: uniqueName("kill"), ...timeouts });
        const loops = ["a", "b", "c"].map((actorId) => new AppendLoop(store, actorId));
        await waitFor(() => acknowledgedCount(loops) >= 150, { timeoutMs: 20_000 });
        await server.kill();
        await waitFor(() => loops.every((loop) => loop.failures.length > 0), {
          timeoutMs: 20_000,
          description: "every writer saw the outage",
        });
        await server.restart();
        const beforeRestart = acknowledgedCount(loops);
        await waitFor(() => acknowledgedCount(loops) >= beforeRestart + 150, {
          timeoutMs: 30_000,
          description: "appends resumed after the restart",
        });
        await Promise.all(loops.map((loop) => loop.stop()));
        await expectNothingLost(store, loops);
        console.info(
          `kill -9 and restart: ${acknowledgedCount(loops)} appends acknowledged (${beforeRestart} before the restart), failures seen: ${loops.map((loop) => loop.failures.map((f) => f.code).join("/")).join(", ")}`,
        );
      } finally {
        await nc.close();
      }
    },
  );

  it(
    "fails a call with TIMEOUT while the server is frozen, then works again",
    { timeout: 60_000 },
    async () => {
      await using server = await NatsServer.start();
      const nc = await connectTo(server.url);
      try {
        const store = new JetStreamEventStore(nc, { namespace: uniqueName("frozen"), ...timeouts });
        await store.saveEvent({
          id: "e1",
          eventType: "Opened",
          actorId: "acc",
          version: 1,
          data: {},
        });
        await server.pause();
        const frozen = await store
          .saveEvent({ id: "e2", eventType: "Deposited", actorId: "acc", version: 2, data: {} })
          .catch((error: unknown) => error);
        const read = await store.getLatestVersion("acc").catch((error: unknown) => error);
        await server.resume();
        expect(isAetherError(frozen, "TIMEOUT"), String(frozen)).toBe(true);
        expect(isAetherError(read, "TIMEOUT"), String(read)).toBe(true);
        // The append's outcome was unknown; the server may have taken it once it woke up.
        const latest = await waitFor(() => store.getLatestVersion("acc").catch(() => undefined));
        expect([1, 2]).toContain(latest);
        const events = await store.getEvents("acc");
        expect(events.map((e) => e.id)).toEqual(["e1", "e2"].slice(0, latest));
        await store.saveEvent({
          id: "e3",
          eventType: "Deposited",
          actorId: "acc",
          version: latest + 1,
          data: {},
        });
      } finally {
        await nc.close();
      }
    },
  );

  it(
    "stores an append whose answers were lost exactly once, and reports success",
    { timeout: 60_000 },
    async () => {
      await using server = await NatsServer.start();
      const nc = await connectTo(server.url);
      try {
        const logs: string[] = [];
        const store = new JetStreamEventStore(nc, {
          namespace: uniqueName("lost-ack"),
          timeoutMs: 30_000,
          requestTimeoutMs: 200,
          logger: recordingLogger(logs),
        });
        await store.saveEvent({
          id: "e1",
          eventType: "Opened",
          actorId: "acc",
          version: 1,
          data: {},
        });
        await server.pause();
        const append = store.saveEvent({
          id: "e2",
          eventType: "Deposited",
          actorId: "acc",
          version: 2,
          data: {},
        });
        // Two attempts went unanswered: the frozen server holds both, with one message id.
        await waitFor(() => logs.filter((m) => m.startsWith("append attempt failed")).length >= 2);
        await server.resume();
        await append;
        const replay = await store.getEventsWithErrors("acc");
        expect(replay.events.map((e) => e.id)).toEqual(["e1", "e2"]);
        expect(replay.errors).toEqual([]);
      } finally {
        await server.resume();
        await nc.close();
      }
    },
  );

  it(
    "fails with UNAVAILABLE or TIMEOUT, never hangs, while no server is reachable",
    { timeout: 60_000 },
    async () => {
      await using server = await NatsServer.start();
      const nc = await connectTo(server.url);
      try {
        const store = new JetStreamEventStore(nc, { namespace: uniqueName("gone"), ...timeouts });
        await store.ensureStream();
        await server.kill();
        const outcomes = await Promise.all([
          store
            .saveEvent({ id: "e1", eventType: "Opened", actorId: "acc", version: 1, data: {} })
            .catch((e: unknown) => e),
          store.getLatestVersion("acc").catch((e: unknown) => e),
          store.getEvents("acc").catch((e: unknown) => e),
        ]);
        for (const outcome of outcomes) {
          expect(isAetherError(outcome) && outcome.retryable, String(outcome)).toBe(true);
        }
      } finally {
        await nc.close();
      }
    },
  );
});
