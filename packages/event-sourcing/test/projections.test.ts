import {
  InMemoryCheckpointStore,
  InMemoryEventStore,
  ProjectionRunner,
  isVersionConflict,
  startProjection,
  type Projection,
} from "@aether/event-sourcing";
import { isAetherError, type NewEvent } from "@aether/kernel";
import { waitFor } from "@aether/test-support";
import { describe, expect, it } from "vitest";

function deposit(
  actorId: string,
  version: number,
  amount: number,
  eventType = "Deposited",
): NewEvent {
  return { id: `${actorId}-${version}`, eventType, actorId, version, data: { amount } };
}

/** A read model in memory: balances per actor, and every event id handled, in order. */
function balances(name = "balances") {
  const totals = new Map<string, number>();
  const handled: string[] = [];
  const resets: number[] = [];
  const projection: Projection = {
    name,
    eventTypes: ["Deposited"],
    handle(event, tx) {
      const { amount } = event.data as { amount: number };
      totals.set(event.actorId, (totals.get(event.actorId) ?? 0) + amount);
      handled.push(`${event.id}@${tx.position}`);
    },
    reset(tx) {
      totals.clear();
      handled.length = 0;
      resets.push(tx.position);
    },
  };
  return { projection, totals, handled, resets };
}

describe("event-sourcing ProjectionRunner (in memory)", () => {
  it("applies the stored events, goes live, and applies new ones once each", async () => {
    const store = new InMemoryEventStore({ namespace: "bank" });
    const checkpoints = new InMemoryCheckpointStore();
    await store.saveEvent(deposit("a", 1, 10));
    await store.saveEvents([deposit("b", 1, 5), deposit("b", 2, 7)]);
    await store.saveEvent(deposit("a", 2, 1, "Withdrawn"));
    const model = balances();
    const runner = startProjection({ store, projection: model.projection, checkpoints });
    await runner.whenLive();
    expect(runner.status).toBe("live");
    expect(Object.fromEntries(model.totals)).toEqual({ a: 10, b: 12 });
    expect(model.handled).toEqual(["a-1@1", "b-1@2", "b-2@2"]);
    expect(await checkpoints.load("balances")).toBe(3);
    await store.saveEvent(deposit("a", 3, 100));
    await waitFor(() => runner.position === 4);
    expect(model.totals.get("a")).toBe(110);
    await runner.stop();
    expect(runner.status).toBe("stopped");
    await store.saveEvent(deposit("a", 4, 1000));
    const again = startProjection({ store, projection: model.projection, checkpoints });
    await again.whenLive();
    expect(model.totals.get("a")).toBe(1110);
    expect(model.handled).toHaveLength(5);
    await again.stop();
  });

  it("rebuilds from position 0 on demand, resetting the read model in the same step", async () => {
    const store = new InMemoryEventStore({ namespace: "bank" });
    for (let v = 1; v <= 5; v++) await store.saveEvent(deposit("a", v, v));
    const model = balances();
    const runner = startProjection({
      store,
      projection: model.projection,
      checkpoints: new InMemoryCheckpointStore(),
    });
    await runner.whenLive();
    expect(model.totals.get("a")).toBe(15);
    await runner.rebuild();
    expect(model.resets).toEqual([0]);
    await waitFor(() => runner.status === "live" && runner.position === 5);
    expect(model.totals.get("a")).toBe(15);
    expect(model.handled).toEqual([1, 2, 3, 4, 5].map((v) => `a-${v}@${v}`));
    await runner.stop();
  });

  it("stops at the last checkpoint when a handler throws, so no event is left out", async () => {
    const store = new InMemoryEventStore({ namespace: "bank" });
    for (let v = 1; v <= 3; v++) await store.saveEvent(deposit("a", v, v));
    const checkpoints = new InMemoryCheckpointStore();
    const runner = new ProjectionRunner({
      store,
      checkpoints,
      projection: {
        name: "picky",
        handle(event) {
          if (event.version === 2) throw new Error("cannot handle version 2");
        },
      },
    });
    const error = await runner.start().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isAetherError(error) && error.code).toBe("PROJECTION_HANDLER_FAILED");
    expect((error as Error).message).toMatch(/"a-2".*cannot handle version 2/);
    expect(runner.status).toBe("failed");
    // Versions 1..3 were read together: the failed unit of work moved nothing.
    expect(await checkpoints.load("picky")).toBe(0);
  });

  it("refuses to move a checkpoint that is not where the runner left it", async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.commit("p", { from: 0, to: 3 }, async () => undefined);
    let ran = false;
    const error = await checkpoints
      .commit("p", { from: 0, to: 5 }, async () => {
        ran = true;
      })
      .catch((reason: unknown) => reason);
    expect(isAetherError(error) && error.code).toBe("CHECKPOINT_MOVED");
    expect(isVersionConflict(error)).toBe(false);
    expect(ran).toBe(false);
    expect(await checkpoints.load("p")).toBe(3);
  });
});
