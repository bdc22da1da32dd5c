import { isAetherError } from "@aether/kernel";
import { describe, expect, it } from "vitest";
import type { Coordination, CoordinationChange } from "../coordination.js";

export interface CoordinationContext {
  /** A name no other test uses (a cluster name for stores that need one). */
  name: string;
}

export type CoordinationFactory = (
  context: CoordinationContext,
) => Coordination | Promise<Coordination>;

let counter = 0;

function fresh(factory: CoordinationFactory): Promise<Coordination> {
  return Promise.resolve(factory({ name: `contract-${Date.now().toString(36)}-${++counter}` }));
}

async function conflictOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isAetherError(error) ? error.code : String(error);
  }
}

// Reads with next() so that the watch stays open between reads (for-await's break would end it).
async function take(
  watch: AsyncIterator<CoordinationChange>,
  count: number,
): Promise<CoordinationChange[]> {
  const seen: CoordinationChange[] = [];
  while (seen.length < count) {
    const next = await watch.next();
    if (next.done === true) break;
    seen.push(next.value);
  }
  return seen;
}

/**
 * What every `Coordination` must do, run against each implementation (in memory, NATS KV):
 * compare-and-set on revisions, deletes, keys, watches, and exactly one winner among racers.
 */
export function describeCoordinationContract(name: string, factory: CoordinationFactory): void {
  describe(`${name} satisfies the coordination contract`, () => {
    it("creates a key once, with the store's revision and time", async () => {
      const store = await fresh(factory);
      const before = Date.now();
      const revision = await store.create("a", "one");
      expect(revision).toBeGreaterThan(0);
      const entry = await store.get("a");
      expect(entry).toMatchObject({ key: "a", value: "one", revision });
      expect(Number.isFinite(entry?.timestamp)).toBe(true);
      expect(entry!.timestamp).toBeGreaterThan(before - 60_000);
      expect(await conflictOf(store.create("a", "two"))).toBe("COORDINATION_CONFLICT");
      expect((await store.get("a"))?.value).toBe("one");
      expect(await store.get("missing")).toBeUndefined();
    });

    it("updates only from the last revision", async () => {
      const store = await fresh(factory);
      const first = await store.create("k", "1");
      const second = await store.update("k", "2", first);
      expect(second).toBeGreaterThan(first);
      expect(await conflictOf(store.update("k", "stale", first))).toBe("COORDINATION_CONFLICT");
      expect(await conflictOf(store.update("absent", "x", 1))).toBe("COORDINATION_CONFLICT");
      expect(await store.get("k")).toMatchObject({ value: "2", revision: second });
    });

    it("deletes, by revision when asked, and creates again after a delete", async () => {
      const store = await fresh(factory);
      const first = await store.create("d", "1");
      const second = await store.update("d", "2", first);
      expect(await conflictOf(store.delete("d", first))).toBe("COORDINATION_CONFLICT");
      expect(await store.get("d")).toBeDefined();
      await store.delete("d", second);
      expect(await store.get("d")).toBeUndefined();
      expect(await store.keys()).not.toContain("d");
      const again = await store.create("d", "3");
      expect(again).toBeGreaterThan(second);
      await store.delete("d");
      expect(await store.get("d")).toBeUndefined();
    });

    it("lists keys, all or under a prefix; revisions grow across keys", async () => {
      const store = await fresh(factory);
      const r1 = await store.create("members.a", "x");
      const r2 = await store.create("members.b", "x");
      const r3 = await store.create("leader", "x");
      expect(r2).toBeGreaterThan(r1);
      expect(r3).toBeGreaterThan(r2);
      expect((await store.keys("members.")).sort()).toEqual(["members.a", "members.b"]);
      expect((await store.keys()).sort()).toEqual(["leader", "members.a", "members.b"]);
    });

    it("watches: current entries first, then every change in order, deletes included", async () => {
      const store = await fresh(factory);
      await store.create("members.a", "1");
      await store.create("other", "x");
      const watch = store.watch({ prefix: "members." });
      const reader = watch[Symbol.asyncIterator]();
      const initial = await take(reader, 1);
      expect(initial.map((c) => [c.key, c.value])).toEqual([["members.a", "1"]]);
      const r = await store.create("members.b", "2");
      await store.update("members.b", "3", r);
      await store.create("ignored", "x");
      await store.delete("members.a");
      const changes = await take(reader, 3);
      expect(changes.map((c) => [c.key, c.value])).toEqual([
        ["members.b", "2"],
        ["members.b", "3"],
        ["members.a", undefined],
      ]);
      expect(changes[1]!.revision).toBeGreaterThan(changes[0]!.revision);
      watch.stop();
      expect(await reader.next()).toMatchObject({ done: true });
    });

    it("gives a racing compare-and-set to exactly one writer", async () => {
      const store = await fresh(factory);
      const base = await store.create("lease", "nobody");
      const racers = Array.from({ length: 6 }, (_, i) => `racer-${i}`);
      const results = await Promise.allSettled(
        racers.map((racer) => store.update("lease", racer, base)),
      );
      const winners = results.flatMap((result, i) =>
        result.status === "fulfilled" ? [racers[i]!] : [],
      );
      expect(winners).toHaveLength(1);
      expect((await store.get("lease"))?.value).toBe(winners[0]);
      const creates = await Promise.allSettled(racers.map((racer) => store.create("fresh", racer)));
      expect(creates.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    });
  });
}
