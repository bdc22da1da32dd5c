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

const data = (n: number) => ({ amount: n, currency: "EUR", note: "bench deposit" });

async function aetherAppends(actors: number, perActor: number): Promise<BenchResult> {
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

async function emmettAppends(actors: number, perActor: number): Promise<BenchResult> {
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
      data: data(version),
    });
    await emmett.appendToStream("acc", [{ type: "Deposited", data: data(version) }]);
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

function perEvent(result: BenchResult, events: number): BenchResult {
  return { ...result, opsPerSec: result.opsPerSec * events };
}

export default async function inMemoryEventStoreBench(): Promise<void> {
  // Both stores get the same JIT warm-up: one unmeasured pass of each workload.
  progress("in-memory event store: warming up");
  for (let round = 0; round < 2; round++) {
    await aetherAppends(1, 10_000);
    await emmettAppends(1, 10_000);
    await aetherAppends(1_000, 20);
    await emmettAppends(1_000, 20);
  }

  progress("in-memory event store: appends, 1 actor × 10,000 events");
  const oneActor = [await aetherAppends(1, 10_000), await emmettAppends(1, 10_000)] as const;
  progress("in-memory event store: appends, 1,000 actors × 20 events");
  const manyActors = [await aetherAppends(1_000, 20), await emmettAppends(1_000, 20)] as const;
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
        case: "getEvents, replay 10,000 events",
        aether: perEvent(aetherReplay, 10_000),
        floor: perEvent(emmettReplay, 10_000),
        aim: "< 5 ms p50",
      },
    ],
  );
}
