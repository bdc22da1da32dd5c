import {
  NO_STREAM,
  VersionConflictError,
  assertExpectedVersion,
  isVersionConflict,
  retryOnConflict,
  type ExpectedVersion,
} from "@aether/occ";
import { describe, expect, it } from "vitest";

interface Deposited {
  type: "Deposited";
  amount: number;
  commandId: string;
}

/** A tiny versioned store: one list of events per actor, appends guarded by assertExpectedVersion. */
class TinyStore {
  readonly #streams = new Map<string, Deposited[]>();
  appends = 0;

  async load(actorId: string): Promise<{ version: number; events: Deposited[] }> {
    await Promise.resolve();
    const events = this.#streams.get(actorId) ?? [];
    return { version: events.length, events: [...events] };
  }

  async append(actorId: string, expected: ExpectedVersion, events: Deposited[]): Promise<number> {
    await Promise.resolve();
    const stream = this.#streams.get(actorId) ?? [];
    assertExpectedVersion(actorId, expected, stream.length);
    stream.push(...events);
    this.#streams.set(actorId, stream);
    this.appends++;
    return stream.length;
  }
}

/** Resolves once `count` callers have arrived: makes two writers read the same version. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived++;
    if (arrived === count) release();
    return all;
  };
}

const noWait = { sleep: async () => {} };

describe("occ: reload-and-retry against a versioned store", () => {
  it("occ: two racing writers both succeed, the loser after one reload", async () => {
    const store = new TinyStore();
    const bothLoaded = barrier(2);
    const attemptsBy: Record<string, number[]> = { alice: [], bob: [] };
    const conflicts: VersionConflictError[] = [];

    const deposit = (writer: string, amount: number) =>
      retryOnConflict(
        async (attempt) => {
          attemptsBy[writer]!.push(attempt);
          const { version, events } = await store.load("acc-1");
          if (attempt === 1) await bothLoaded();
          const balance = events.reduce((sum, event) => sum + event.amount, 0);
          const next: Deposited = { type: "Deposited", amount, commandId: `${writer}-1` };
          await store.append("acc-1", version, [next]);
          return balance + amount;
        },
        {
          ...noWait,
          onRetry: ({ error }) => {
            if (error instanceof VersionConflictError) conflicts.push(error);
          },
        },
      );

    const [alice, bob] = await Promise.all([deposit("alice", 10), deposit("bob", 5)]);

    const { version, events } = await store.load("acc-1");
    expect(version).toBe(2);
    expect(events.map((event) => event.commandId).sort()).toEqual(["alice-1", "bob-1"]);
    expect(store.appends).toBe(2);
    // Exactly one writer lost the race, and it saw the true current version.
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      actorId: "acc-1",
      attemptedVersion: 1,
      currentVersion: 1,
    });
    const loser = attemptsBy["alice"]!.length === 2 ? "alice" : "bob";
    expect(attemptsBy[loser]).toEqual([1, 2]);
    expect(attemptsBy[loser === "alice" ? "bob" : "alice"]).toEqual([1]);
    // The loser decided again on reloaded state: its balance includes the winner's deposit.
    expect(loser === "alice" ? [alice, bob] : [bob, alice]).toEqual(
      loser === "alice" ? [15, 5] : [15, 10],
    );
  });

  it("occ: many racing writers all land exactly once with gapless versions", async () => {
    const store = new TinyStore();
    const writers = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const results = await Promise.all(
      writers.map((writer) =>
        retryOnConflict(
          async () => {
            const { version } = await store.load("acc-2");
            return store.append("acc-2", version, [
              { type: "Deposited", amount: 1, commandId: writer },
            ]);
          },
          { ...noWait, maxAttempts: writers.length },
        ),
      ),
    );
    expect(results.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const { events } = await store.load("acc-2");
    expect(events.map((event) => event.commandId).sort()).toEqual(writers);
  });

  it("occ: a conflict on a create-only write is a domain answer: surfaced, not retried", async () => {
    const store = new TinyStore();
    await store.append("acc-3", NO_STREAM, [{ type: "Deposited", amount: 1, commandId: "open-1" }]);
    let attempts = 0;
    const open = () => {
      attempts++;
      return store.append("acc-3", NO_STREAM, [
        { type: "Deposited", amount: 1, commandId: "open-2" },
      ]);
    };
    // No retry helper: the caller maps the conflict to "account already exists" (HTTP 409 at the edge).
    const error = await open().catch((caught: unknown) => caught);
    expect(isVersionConflict(error)).toBe(true);
    expect(error).toMatchObject({
      attemptedVersion: 1,
      currentVersion: 1,
      expectedVersion: NO_STREAM,
    });
    expect((error as VersionConflictError).details).toMatchObject({ expectedVersion: "no_stream" });
    expect(attempts).toBe(1);
  });

  it("occ: an idempotent command id turns a retried duplicate into a no-op", async () => {
    const store = new TinyStore();
    const handle = (commandId: string, amount: number) =>
      retryOnConflict(async () => {
        const { version, events } = await store.load("acc-4");
        if (events.some((event) => event.commandId === commandId)) return version; // already applied
        return store.append("acc-4", version, [{ type: "Deposited", amount, commandId }]);
      }, noWait);
    expect(await handle("cmd-1", 10)).toBe(1);
    expect(await handle("cmd-1", 10)).toBe(1);
    expect(await handle("cmd-2", 5)).toBe(2);
    expect(store.appends).toBe(2);
  });
});
