import { ProjectionRunner, type Projection } from "@aether/event-sourcing";
import {
  JetStreamEventStore,
  KvCheckpointStore,
  KvProjectionLease,
} from "@aether/event-sourcing/jetstream";
import { isAetherError } from "@aether/kernel";
import { connectTo, uniqueName, waitFor } from "@aether/test-support";
import { describe, expect, inject, it } from "vitest";

describe("event-sourcing projections on NATS KV", () => {
  it("KvCheckpointStore moves a checkpoint only from where it was", async () => {
    const nc = await connectTo(inject("natsUrl"));
    try {
      const namespace = uniqueName("kvcp");
      const first = new KvCheckpointStore(nc, { namespace });
      const second = new KvCheckpointStore(nc, { namespace });
      expect(await first.load("p")).toBe(0);
      expect(await second.load("p")).toBe(0);
      const positions: number[] = [];
      await first.commit("p", { from: 0, to: 3 }, async (tx) => void positions.push(tx.position));
      expect(await new KvCheckpointStore(nc, { namespace }).load("p")).toBe(3);
      const stale = await second
        .commit("p", { from: 0, to: 5 }, async () => undefined)
        .catch((error: unknown) => error);
      expect(isAetherError(stale) && stale.code).toBe("CHECKPOINT_MOVED");
      expect(await second.load("p")).toBe(3);
      await second.commit("p", { from: 3, to: 7 }, async () => undefined);
      const behind = await first
        .commit("p", { from: 3, to: 4 }, async () => undefined)
        .catch((error: unknown) => error);
      expect(isAetherError(behind) && behind.code).toBe("CHECKPOINT_MOVED");
      expect(positions).toEqual([3]);
      expect(first.bucketName).toBe(`AETHER_PROJECTIONS_${namespace}`);
    } finally {
      await nc.close();
    }
  });

  it("KvProjectionLease has one holder; the next takes over on release, or a TTL after a death", async () => {
    const url = inject("natsUrl");
    const ncA = await connectTo(url);
    const ncB = await connectTo(url);
    try {
      const namespace = uniqueName("lease");
      const a = new KvProjectionLease(ncA, { namespace, ttlMs: 500 });
      const b = new KvProjectionLease(ncB, { namespace, ttlMs: 500 });
      const signal = new AbortController().signal;
      expect(await a.acquire("p", signal)).toBe(true);
      let bHolds = false;
      const bAcquired = b.acquire("p", signal).then((held) => (bHolds = held));
      // Three TTLs of renewals by A: B never gets in while A is alive.
      const until = performance.now() + 1_500;
      await waitFor(() => performance.now() >= until || bHolds, { timeoutMs: 5_000 });
      expect(bHolds).toBe(false);
      expect(a.isHeld()).toBe(true);
      await a.release();
      expect(a.isHeld()).toBe(false);
      await bAcquired;
      expect(b.isHeld()).toBe(true);

      // B dies without releasing; A waits a TTL of silence, then takes over.
      const aAgain = a.acquire("p", signal);
      await ncB.close();
      expect(await aAgain).toBe(true);
      await waitFor(() => !b.isHeld(), { timeoutMs: 5_000 });
      expect(a.isHeld()).toBe(true);
      await a.release();
    } finally {
      await ncA.close();
      if (!ncB.isClosed()) await ncB.close();
    }
  });

  it("a runner with KV checkpoints resumes where the last one stopped", async () => {
    const nc = await connectTo(inject("natsUrl"));
    try {
      const namespace = uniqueName("kvrun");
      const store = new JetStreamEventStore(nc, { namespace: namespace });
      const handled: string[] = [];
      const projection: Projection = {
        name: "ids",
        handle: (event) => void handled.push(event.id),
      };
      const append = (actorId: string, version: number) =>
        store.saveEvent({
          id: `${actorId}-${version}`,
          eventType: "Noted",
          actorId,
          version,
          data: {},
        });
      const runner = () =>
        new ProjectionRunner({
          store,
          projection,
          checkpoints: new KvCheckpointStore(nc, { namespace }),
          lease: new KvProjectionLease(nc, { namespace, ttlMs: 500 }),
        });
      await append("a", 1);
      await append("b", 1);
      const first = runner();
      void first.start();
      await first.whenLive();
      await first.stop();
      await append("a", 2);
      const second = runner();
      void second.start();
      await second.whenLive();
      await second.stop();
      expect(handled).toEqual(["a-1", "b-1", "a-2"]);
      expect(second.position).toBe(3);
    } finally {
      await nc.close();
    }
  });
});
