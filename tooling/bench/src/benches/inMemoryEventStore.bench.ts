import { InMemoryEventStore } from "@aether/event-sourcing";
import { createId } from "@aether/kernel";
import { getInMemoryEventStore } from "@event-driven-io/emmett";
import {
  measureLatency,
  measureThroughput,
  printComparisons,
  progress,
  type BenchResult,
} from "../harness.js";

type Payload = (n: number) => Record<string, unknown>;

/** The tiny payload: three flat fields, about 50 bytes of JSON. */
const tiny: Payload = (n) => ({ amount: n, currency: "EUR", note: "bench deposit" });

/** A realistic payload: nested objects and an array, about 200 bytes of JSON. */
const realistic: Payload = (n) => ({
  orderId: `ord-${n}`,
  customer: { id: "cus-4711", address: { country: "DE", city: "Berlin" } },
  lines: [
    { sku: "SKU-1001", quantity: 2, unitPrice: 19.99 },
    { sku: "SKU-2002", quantity: 1, unitPrice: 5.5 },
  ],
  total: 45.48,
  currency: "EUR",
});

async function aetherAppends(
  actors: number,
  perActor: number,
  data: Payload,
): Promise<BenchResult> {
  const store = new InMemoryEventStore({ namespace: "bench" });
  return measureThroughput("Aether InMemoryEventStore", actors * perActor, async () => {
    for (let version = 1; version <= perActor; version++) {
      for (let actor = 0; actor < actors; actor++) {
        await store.saveEvent({
          id: createId(),
          eventType: "Deposited",
          actorId: `acc-${actor}`,
          version,
          data: data(version),
        });
      }
    }
  });
}

async function emmettAppends(
  actors: number,
  perActor: number,
  data: Payload,
): Promise<BenchResult> {
  const store = getInMemoryEventStore();
  return measureThroughput("Emmett in-memory", actors * perActor, async () => {
    for (let version = 1; version <= perActor; version++) {
      for (let actor = 0; actor < actors; actor++) {
        await store.appendToStream(`acc-${actor}`, [{ type: "Deposited", data: data(version) }], {
          expectedStreamVersion: BigInt(version - 1),
        });
      }
    }
  });
}

async function replays(events: number, samples: number): Promise<[BenchResult, BenchResult]> {
  const aether = new InMemoryEventStore({ namespace: "bench" });
  const emmett = getInMemoryEventStore();
  for (let version = 1; version <= events; version++) {
    await aether.saveEvent({
      id: createId(),
      eventType: "Deposited",
      actorId: "acc",
      version,
      data: tiny(version),
    });
    await emmett.appendToStream("acc", [{ type: "Deposited", data: tiny(version) }]);
  }
  const check = (length: number) => {
    if (length !== events) throw new Error(`replay returned ${length} events, expected ${events}`);
  };
  const aetherResult = await measureLatency("Aether getEvents", samples, async () => {
    check((await aether.getEvents("acc")).length);
  });
  const emmettResult = await measureLatency("Emmett readStream", samples, async () => {
    check((await emmett.readStream("acc")).events.length);
  });
  return [aetherResult, emmettResult];
}

/**
 * Rounds per append case, after the warm-up: the two stores take turns to go first and the median
 * of each side is kept, since the machines are shared and noisy.
 */
const ROUNDS = 7;

function median(results: BenchResult[]): BenchResult {
  return [...results].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(results.length / 2)]!;
}

async function appends(
  actors: number,
  perActor: number,
  data: Payload,
): Promise<readonly [BenchResult, BenchResult]> {
  const aether: BenchResult[] = [];
  const emmett: BenchResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      aether.push(await aetherAppends(actors, perActor, data));
      emmett.push(await emmettAppends(actors, perActor, data));
    } else {
      emmett.push(await emmettAppends(actors, perActor, data));
      aether.push(await aetherAppends(actors, perActor, data));
    }
  }
  return [median(aether), median(emmett)];
}

function perEvent(result: BenchResult, events: number): BenchResult {
  return { ...result, opsPerSec: result.opsPerSec * events };
}

export default async function inMemoryEventStoreBench(): Promise<void> {
  // Both stores get the same JIT warm-up: one unmeasured pass of each workload.
  progress("in-memory event store: warming up");
  for (let round = 0; round < 2; round++) {
    await aetherAppends(1, 10_000, tiny);
    await emmettAppends(1, 10_000, tiny);
    await aetherAppends(1_000, 20, tiny);
    await emmettAppends(1_000, 20, tiny);
    await aetherAppends(1_000, 20, realistic);
    await emmettAppends(1_000, 20, realistic);
  }

  progress("in-memory event store: appends, 1 actor × 10,000 events");
  const oneActor = await appends(1, 10_000, tiny);
  progress("in-memory event store: appends, 1,000 actors × 20 events");
  const manyActors = await appends(1_000, 20, tiny);
  progress("in-memory event store: appends, 1,000 actors × 20 realistic events");
  const realisticEvents = await appends(1_000, 20, realistic);
  progress("in-memory event store: replay of 10,000 events");
  const [aetherReplay, emmettReplay] = await replays(10_000, 50);

  printComparisons(
    "In-memory event store vs Emmett (events/s; replay p50 in ms per 10,000 events)",
    [
      {
        case: "saveEvent with version check, 1 actor × 10,000",
        aether: oneActor[0],
        floor: oneActor[1],
        aim: ">= 5x",
      },
      {
        case: "saveEvent with version check, 1,000 actors × 20",
        aether: manyActors[0],
        floor: manyActors[1],
        aim: ">= 5x",
      },
      {
        case: "saveEvent, 1,000 actors × 20, ~200-byte nested events",
        aether: realisticEvents[0],
        floor: realisticEvents[1],
        aim: ">= 5x",
      },
      {
        case: "getEvents, replay 10,000 events",
        aether: perEvent(aetherReplay, 10_000),
        floor: perEvent(emmettReplay, 10_000),
        aim: "< 5 ms p50",
      },
    ],
  );
}
