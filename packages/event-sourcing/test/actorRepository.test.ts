import {
  ActorRepository,
  InMemoryEventStore,
  InMemorySnapshotStore,
  snapshotEvery,
  type ReadEventsOptions,
} from "@aether/event-sourcing";
import { DomainEventRecorder, sequentialIdGenerator, type Event } from "@aether/kernel";
import { VersionConflictError, retryOnConflict } from "@aether/occ";
import { captureLogs } from "@aether/test-support";
import { describe, expect, it } from "vitest";
import { counter } from "./fixtures/counter.js";

/** The real in-memory store, recording where each replay started. */
class RecordingEventStore extends InMemoryEventStore {
  readonly replayStarts: number[] = [];

  override readEvents(actorId: string, options: ReadEventsOptions = {}): AsyncIterable<Event> {
    this.replayStarts.push(options.fromVersion ?? 1);
    return super.readEvents(actorId, options);
  }
}

function setup(options: { snapshotEvery?: number; schemaVersion?: number } = {}) {
  const publisher = new DomainEventRecorder();
  const eventStore = new RecordingEventStore({ namespace: "bank", publisher });
  const snapshotStore = new InMemorySnapshotStore({ namespace: "bank", publisher });
  const { lines, logger } = captureLogs({ level: "info" });
  const repository = (schemaVersion = options.schemaVersion ?? 1) =>
    new ActorRepository({
      actor: { ...counter, schemaVersion },
      eventStore: eventStore,
      snapshotStore,
      snapshotPolicy: snapshotEvery(options.snapshotEvery ?? 100),
      ids: sequentialIdGenerator("evt"),
      logger,
    });
  return { publisher, eventStore, snapshotStore, lines, repository };
}

describe("event-sourcing ActorRepository", () => {
  it("appends decided events with consecutive versions, ids and metadata, and returns the new state", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    const first = await repo.handle(
      "c-1",
      { type: "add", amount: 5 },
      { metadata: { commandId: "cmd-1" } },
    );
    expect(first).toMatchObject({ actorId: "c-1", version: 1, state: { total: 5, applied: 1 } });
    const second = await repo.handle("c-1", { type: "addTwice", amount: 2 });
    expect(second.version).toBe(3);
    expect(second.events.map((e) => [e.id, e.version, e.eventType])).toEqual([
      ["evt-2", 2, "Added"],
      ["evt-3", 3, "Added"],
    ]);
    const stored = await eventStore.getEvents("c-1");
    expect(stored.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(stored[0]?.metadata).toEqual({ commandId: "cmd-1" });
    expect(await repo.load("c-1")).toEqual({
      actorId: "c-1",
      version: 3,
      state: { total: 9, applied: 3 },
    });
  });

  it("stores nothing when decide throws or decides nothing", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    await expect(repo.handle("c-1", { type: "add", amount: -1 })).rejects.toThrow(/below zero/);
    const noop = await repo.handle("c-1", { type: "noop" });
    expect(noop).toMatchObject({ version: 0, events: [] });
    expect(await eventStore.getLatestVersion("c-1")).toBe(0);
  });

  it("refuses a command whose expectedVersion is stale", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    await repo.handle("c-1", { type: "add", amount: 1 });
    const error = await repo
      .handle("c-1", { type: "add", amount: 1 }, { expectedVersion: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({ currentVersion: 1 });
    expect(await eventStore.getLatestVersion("c-1")).toBe(1);
  });

  it("fails the slower of two concurrent commands fast, and retryOnConflict makes both land", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    const racing = await Promise.allSettled([
      repo.handle("c-1", { type: "add", amount: 1 }),
      repo.handle("c-1", { type: "add", amount: 1 }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(
      (racing.find((r) => r.status === "rejected") as PromiseRejectedResult).reason,
    ).toBeInstanceOf(VersionConflictError);
    const retried = await Promise.all(
      [1, 2, 3].map(() =>
        retryOnConflict(() => repo.handle("c-1", { type: "add", amount: 10 }), { maxAttempts: 10 }),
      ),
    );
    expect(retried.map((r) => r.version).sort()).toEqual([2, 3, 4]);
    expect((await repo.load("c-1")).state.total).toBe(31);
    expect(await eventStore.getLatestVersion("c-1")).toBe(4);
  });

  it("decides on a caller's loaded state without reading the store, and a stale one conflicts", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    const first = await repo.handle("c-1", { type: "add", amount: 2 });
    const readsBefore = eventStore.replayStarts.length;
    const second = await repo.handle("c-1", { type: "add", amount: 3 }, { loaded: first });
    expect(eventStore.replayStarts.length).toBe(readsBefore);
    expect(second).toMatchObject({ version: 2, state: { total: 5, applied: 2 } });
    expect(first.state.total).toBe(2);
    await expect(
      repo.handle("c-1", { type: "add", amount: 1 }, { loaded: first }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await eventStore.getLatestVersion("c-1")).toBe(2);
  });

  it("shows beforeAppend the outcome, and appends nothing when it throws", async () => {
    const { eventStore, repository } = setup();
    const repo = repository();
    const seen: unknown[] = [];
    await expect(
      repo.handle(
        "c-1",
        { type: "addTwice", amount: 4 },
        {
          beforeAppend: (outcome) => {
            seen.push(outcome);
            throw new Error("reply too large");
          },
        },
      ),
    ).rejects.toThrow(/reply too large/);
    expect(seen).toEqual([
      expect.objectContaining({
        version: 2,
        state: { total: 8, applied: 2 },
        events: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })],
      }),
    ]);
    expect(await eventStore.getLatestVersion("c-1")).toBe(0);
  });

  it("snapshots when an append crosses the policy's interval and loads from the snapshot", async () => {
    const { publisher, eventStore, snapshotStore, repository } = setup({ snapshotEvery: 3 });
    const repo = repository();
    for (let i = 0; i < 4; i++) await repo.handle("c-1", { type: "add", amount: 1 });
    await repo.handle("c-1", { type: "addTwice", amount: 1 });
    expect(publisher.ofType("SnapshotCreated").map((e) => e.version)).toEqual([3, 6]);
    expect(await snapshotStore.getLatestSnapshot("c-1")).toMatchObject({
      version: 6,
      state: { total: 6, applied: 6 },
      schemaVersion: 1,
    });
    await repo.handle("c-1", { type: "add", amount: 1 });
    eventStore.replayStarts.length = 0;
    expect(await repo.load("c-1")).toMatchObject({ version: 7, state: { total: 7, applied: 7 } });
    expect(eventStore.replayStarts).toEqual([7]);
  });

  it("ignores and rebuilds a snapshot whose schemaVersion differs, saying why", async () => {
    const { eventStore, snapshotStore, lines, repository } = setup({ snapshotEvery: 2 });
    for (let i = 0; i < 3; i++) await repository(1).handle("c-1", { type: "add", amount: 2 });
    eventStore.replayStarts.length = 0;
    const loaded = await repository(2).load("c-1");
    expect(loaded).toMatchObject({ version: 3, state: { total: 6, applied: 3 } });
    expect(eventStore.replayStarts).toEqual([1]);
    expect(lines.some((line) => /schemaVersion differs/.test(String(line.msg)))).toBe(true);
    expect(await snapshotStore.getLatestSnapshot("c-1")).toMatchObject({
      version: 3,
      schemaVersion: 2,
    });
  });

  it("ignores and rebuilds a snapshot that is beyond the latest stored version", async () => {
    const { snapshotStore, lines, repository } = setup();
    const repo = repository();
    await repo.handle("c-1", { type: "add", amount: 4 });
    await snapshotStore.saveSnapshot({
      actorId: "c-1",
      version: 50,
      state: { total: 999, applied: 50 },
      timestamp: new Date().toISOString(),
      schemaVersion: 1,
    });
    expect(await repo.load("c-1")).toMatchObject({ version: 1, state: { total: 4, applied: 1 } });
    expect(lines.some((line) => /beyond the latest stored version/.test(String(line.msg)))).toBe(
      true,
    );
    expect(await snapshotStore.getLatestSnapshot("c-1")).toMatchObject({
      version: 1,
      state: { total: 4 },
    });
  });

  it("keeps the append when the snapshot cannot be saved, and logs it", async () => {
    const eventStore = new InMemoryEventStore();
    const { lines, logger } = captureLogs({ level: "info" });
    const repo = new ActorRepository({
      actor: {
        initialState: () => ({ seen: 0 }),
        evolve: (state) => ({ ...state, seen: state.seen + 1 }),
        decide: () => ({ eventType: "Seen", data: {} }),
      },
      eventStore,
      snapshotStore: new (class extends InMemorySnapshotStore {
        override saveSnapshot(): Promise<void> {
          return Promise.reject(new Error("snapshot storage is full"));
        }
      })(),
      snapshotPolicy: snapshotEvery(1),
      logger,
    });
    const result = await repo.handle("a", {});
    expect(result.version).toBe(1);
    expect(await eventStore.getLatestVersion("a")).toBe(1);
    expect(lines.some((line) => line.msg === "snapshot not saved")).toBe(true);
  });

  it("refuses a snapshot whose state does not survive the round trip, logs it once with the path, and keeps working from events", async () => {
    const eventStore = new RecordingEventStore();
    const snapshotStore = new InMemorySnapshotStore();
    const { lines, logger } = captureLogs({ level: "info" });
    const repo = new ActorRepository({
      actor: {
        initialState: () => ({ count: 0, seen: [new Date(0)] }),
        evolve: (state) => ({ ...state, count: state.count + 1 }),
        decide: () => ({ eventType: "Seen", data: {} }),
      },
      eventStore,
      snapshotStore,
      snapshotPolicy: snapshotEvery(1),
      logger,
    });
    for (let i = 0; i < 4; i++) await repo.handle("a", {});
    expect(await snapshotStore.getLatestSnapshot("a")).toBeUndefined();
    const refusals = lines.filter((line) => (line.msg ?? "").startsWith("snapshot refused"));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 40, path: "state.seen[0]" });
    const loaded = await repo.load("a");
    expect(loaded).toMatchObject({ version: 4, state: { count: 4 } });
    expect(loaded.state.seen[0]).toBeInstanceOf(Date);
    expect(eventStore.replayStarts.at(-1)).toBe(1);
  });

  it("does not snapshot when the codec's decode does not give the state back", async () => {
    const snapshotStore = new InMemorySnapshotStore();
    const { lines, logger } = captureLogs({ level: "info" });
    const repo = new ActorRepository({
      actor: {
        initialState: () => ({ total: 0, name: "x" }),
        evolve: (state) => ({ ...state, total: state.total + 1 }),
        decide: () => ({ eventType: "Added", data: {} }),
        snapshotCodec: { encode: (state) => state, decode: () => ({ total: 0, name: "x" }) },
      },
      eventStore: new InMemoryEventStore(),
      snapshotStore,
      snapshotPolicy: snapshotEvery(1),
      logger,
    });
    await repo.handle("a", {});
    expect(await snapshotStore.getLatestSnapshot("a")).toBeUndefined();
    expect(lines.find((line) => (line.msg ?? "").startsWith("snapshot refused"))).toMatchObject({
      path: "state.total",
    });
  });

  it("rejects an invalid actor id before touching the store", async () => {
    const { repository } = setup();
    await expect(repository().handle("", { type: "add", amount: 1 })).rejects.toThrow(/actorId/);
  });
});

describe("event-sourcing snapshotEvery", () => {
  it("fires exactly when a multiple is crossed", () => {
    const policy = snapshotEvery(10);
    const check = (previousVersion: number, version: number) =>
      policy.shouldSnapshot({ actorId: "a", previousVersion, version });
    expect([check(0, 9), check(9, 10), check(10, 11), check(8, 12), check(19, 30)]).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(() => snapshotEvery(0)).toThrow(/n must be an integer >= 1/);
  });
});
