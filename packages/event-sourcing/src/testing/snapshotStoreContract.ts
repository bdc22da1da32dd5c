import { DomainEventRecorder, isAetherError, type ActorSnapshot } from "@aether/kernel";
import { describe, expect, it } from "vitest";
import { defineActor } from "../actor.js";
import { ActorRepository } from "../actorRepository.js";
import type { SnapshotStore } from "../eventStore.js";
import { InMemoryEventStore } from "../inMemoryEventStore.js";
import { snapshotEvery } from "../snapshotPolicy.js";
import { hostileActorIds, type EventStoreContext } from "./eventStoreContract.js";

export type SnapshotStoreFactory = (
  context: EventStoreContext,
) => SnapshotStore | Promise<SnapshotStore>;

let counter = 0;

function snapshot(actorId: string, version: number, state: unknown = { version }): ActorSnapshot {
  return { actorId, version, state, timestamp: new Date().toISOString(), schemaVersion: 1 };
}

/** The behaviour every SnapshotStore must show, as a vitest suite. */
export function describeSnapshotStoreContract(name: string, factory: SnapshotStoreFactory): void {
  const setup = async () => {
    const context = {
      namespace: `snap-contract-${Date.now().toString(36)}-${++counter}`,
      publisher: new DomainEventRecorder(),
    };
    return { ...context, store: await factory(context) };
  };

  describe(`${name} satisfies the SnapshotStore contract`, () => {
    it("keeps an actor whose state is not plain JSON loadable: no snapshot without a codec, exact with one", async () => {
      const { store, namespace } = await setup();
      const tagger = defineActor({
        initialState: () => ({ tags: new Set<string>(), since: undefined as Date | undefined }),
        decide: (command: { tag: string }) => ({
          eventType: "Tagged" as const,
          data: { tag: command.tag, at: "2026-01-02T03:04:05.000Z" },
        }),
        evolve: (state, event) => ({
          tags: new Set([...state.tags, event.data.tag]),
          since: state.since ?? new Date(event.data.at),
        }),
      });
      const eventStore = new InMemoryEventStore({ namespace });
      const repository = (actor: typeof tagger) =>
        new ActorRepository({
          actor,
          eventStore,
          snapshotStore: store,
          snapshotPolicy: snapshotEvery(2),
        });
      const plain = repository(tagger);
      for (const tag of ["a", "b", "c"]) await plain.handle("t-1", { tag });
      const loaded = await plain.load("t-1");
      expect(loaded.state.tags).toEqual(new Set(["a", "b", "c"]));
      expect(loaded.state.since).toEqual(new Date("2026-01-02T03:04:05.000Z"));
      expect(await store.getLatestSnapshot("t-1")).toBeUndefined();

      const coded = repository({
        ...tagger,
        snapshotCodec: {
          encode: (state) => ({ tags: [...state.tags], since: state.since?.toISOString() }),
          decode: (json) => {
            const { tags, since } = json as { tags: string[]; since?: string };
            return {
              tags: new Set(tags),
              since: since === undefined ? undefined : new Date(since),
            };
          },
        },
      });
      expect((await coded.handle("t-1", { tag: "d" })).version).toBe(4);
      expect(await store.getLatestSnapshot("t-1")).toMatchObject({
        version: 4,
        state: { tags: ["a", "b", "c", "d"], since: "2026-01-02T03:04:05.000Z" },
      });
      const fromSnapshot = await coded.load("t-1");
      expect(fromSnapshot.state.tags).toEqual(new Set(["a", "b", "c", "d"]));
      expect(fromSnapshot.state.since).toEqual(new Date("2026-01-02T03:04:05.000Z"));
      expect((await coded.handle("t-1", { tag: "e" })).state.tags.size).toBe(5);
    });

    it("has no snapshot for an unknown actor", async () => {
      const { store } = await setup();
      expect(await store.getLatestSnapshot("nobody")).toBeUndefined();
    });

    it("returns the latest saved snapshot as it was given", async () => {
      const { store, publisher, namespace } = await setup();
      const first = snapshot("acc-1", 10, { balance: 100, owner: "Zoë" });
      await store.saveSnapshot(first);
      expect(await store.getLatestSnapshot("acc-1")).toEqual(first);
      const second = snapshot("acc-1", 20, { balance: 200, owner: "Zoë" });
      await store.saveSnapshot(second);
      expect(await store.getLatestSnapshot("acc-1")).toEqual(second);
      expect(publisher.ofType("SnapshotCreated")).toMatchObject([
        { namespace, actorId: "acc-1", version: 10 },
        { namespace, actorId: "acc-1", version: 20 },
      ]);
    });

    it("keeps actors whose ids differ only in special characters apart", async () => {
      const { store } = await setup();
      for (const [index, actorId] of hostileActorIds.entries()) {
        await store.saveSnapshot(snapshot(actorId, index + 1, { actorId }));
      }
      for (const [index, actorId] of hostileActorIds.entries()) {
        expect(await store.getLatestSnapshot(actorId)).toMatchObject({
          version: index + 1,
          state: { actorId },
        });
      }
    });

    it("does not let callers change what is stored", async () => {
      const { store } = await setup();
      const given = snapshot("acc-1", 3, { balance: 30 });
      await store.saveSnapshot(given);
      (given.state as { balance: number }).balance = -1;
      const read = await store.getLatestSnapshot("acc-1");
      try {
        (read!.state as { balance: number }).balance = -2;
      } catch {
        // Frozen snapshots refuse the write outright.
      }
      expect((await store.getLatestSnapshot("acc-1"))?.state).toEqual({ balance: 30 });
    });

    it("rejects a malformed snapshot with an error naming the field", async () => {
      const { store } = await setup();
      const error = await store
        .saveSnapshot({ ...snapshot("acc-1", 1), version: -1 })
        .catch((e: unknown) => e);
      expect(isAetherError(error)).toBe(true);
      expect((error as Error).message).toMatch(/version/);
      expect(await store.getLatestSnapshot("acc-1")).toBeUndefined();
    });
  });
}
