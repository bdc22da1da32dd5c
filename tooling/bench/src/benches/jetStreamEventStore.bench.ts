import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { createId, type NewEvent } from "@aether/kernel";
import { actorSubject, eventStreamName } from "@aether/namespace/naming";
import { NatsServer, uniqueName } from "@aether/test-support";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import {
  measureLatency,
  measureThroughput,
  printComparisons,
  progress,
  type BenchResult,
  type Comparison,
} from "../harness.js";

const ACTORS = 1_000;
/**
 * Each case runs one unmeasured warm-up round, then this many rounds, Aether and raw taking turns
 * to go first, and keeps the median of each side: the machines are shared and noisy.
 */
const ROUNDS = 5;

interface Bench {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** One side of a comparison: measures once per call, continuing where the last call stopped. */
type Side = () => Promise<BenchResult>;

function event(actorId: string, version: number): NewEvent {
  return {
    id: createId(),
    eventType: "Deposited",
    actorId,
    version,
    data: { amount: version, currency: "EUR", note: "bench deposit" },
  };
}

/** What a raw JetStream user publishes for the same events: their JSON, timestamps included. */
function rawPayload(actorId: string, firstVersion: number, size = 1): string {
  const timestamp = new Date().toISOString();
  const events = Array.from({ length: size }, (_, i) => ({
    ...event(actorId, firstVersion + i),
    timestamp,
  }));
  return JSON.stringify(size === 1 ? events[0] : events);
}

function median(results: BenchResult[], key: (result: BenchResult) => number): BenchResult {
  return [...results].sort((a, b) => key(a) - key(b))[Math.floor(results.length / 2)]!;
}

async function compare(
  name: string,
  sides: { aether: Side; floor: Side; aim?: string },
): Promise<Comparison> {
  const aether: BenchResult[] = [];
  const floor: BenchResult[] = [];
  await sides.aether();
  await sides.floor();
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      aether.push(await sides.aether());
      floor.push(await sides.floor());
    } else {
      floor.push(await sides.floor());
      aether.push(await sides.aether());
    }
  }
  const latencyBased = aether[0]!.p50Ms !== undefined;
  const key = latencyBased ? (r: BenchResult) => -r.p50Ms! : (r: BenchResult) => r.opsPerSec;
  return {
    case: name,
    aether: median(aether, key),
    floor: median(floor, key),
    ...(sides.aim === undefined ? {} : { aim: sides.aim }),
  };
}

/** A raw stream configured like the store's, for the raw-publish floors. */
async function rawSubjects(bench: Bench): Promise<(actor: string) => string> {
  const name = uniqueName("RAW").replaceAll("-", "_");
  await bench.jsm.streams.add({
    name,
    subjects: [`${name}.*`],
    storage: "file",
    num_replicas: 1,
    duplicate_window: 120_000_000_000,
    deny_delete: true,
    deny_purge: true,
    allow_direct: true,
  } as never);
  return (actor) => `${name}.${actor}`;
}

async function newStore(bench: Bench): Promise<JetStreamEventStore> {
  const store = new JetStreamEventStore(bench.nc, { namespace: uniqueName("bench") });
  await store.ensureStream();
  return store;
}

/** Appends by `actors` actors at once, each `calls` sequential calls of `size` events. */
async function appendSides(
  bench: Bench,
  shape: { actors: number; calls: number; size: number },
): Promise<{ aether: Side; floor: Side }> {
  const { actors, calls, size } = shape;
  const store = await newStore(bench);
  const subject = await rawSubjects(bench);
  const versions = new Array<number>(actors).fill(0);
  const lastSeqs = new Array<number>(actors).fill(0);
  const rawVersions = new Array<number>(actors).fill(0);
  const perActor = (body: (actor: number) => Promise<void>) =>
    Promise.all(Array.from({ length: actors }, (_, actor) => body(actor)));
  const aether: Side = () =>
    measureThroughput("JetStreamEventStore", actors * calls, () =>
      perActor(async (a) => {
        for (let c = 0; c < calls; c++) {
          const first = versions[a]! + 1;
          versions[a]! += size;
          if (size === 1) await store.saveEvent(event(`acc-${a}`, first));
          else {
            await store.saveEvents(
              Array.from({ length: size }, (_, i) => event(`acc-${a}`, first + i)),
            );
          }
        }
      }),
    );
  const floor: Side = () =>
    measureThroughput("js.publish + OCC header", actors * calls, () =>
      perActor(async (a) => {
        for (let c = 0; c < calls; c++) {
          const first = rawVersions[a]! + 1;
          rawVersions[a]! += size;
          const ack = await bench.js.publish(
            subject(`acc-${a}`),
            rawPayload(`acc-${a}`, first, size),
            { expect: { lastSubjectSequence: lastSeqs[a]! } },
          );
          lastSeqs[a] = ack.seq;
        }
      }),
    );
  return { aether, floor };
}

async function sequentialSides(bench: Bench, ops: number): Promise<{ aether: Side; floor: Side }> {
  const store = await newStore(bench);
  const subject = (await rawSubjects(bench))("acc");
  let version = 0;
  let rawVersion = 0;
  let lastSeq = 0;
  return {
    aether: () =>
      measureLatency("JetStreamEventStore.saveEvent", ops, () =>
        store.saveEvent(event("acc", ++version)),
      ),
    floor: () =>
      measureLatency("js.publish + OCC header", ops, async () => {
        const ack = await bench.js.publish(subject, rawPayload("acc", ++rawVersion), {
          expect: { lastSubjectSequence: lastSeq },
        });
        lastSeq = ack.seq;
      }),
  };
}

function perEvent(result: BenchResult, events: number): BenchResult {
  return { ...result, opsPerSec: result.opsPerSec * events };
}

/** Reads `count` messages of one subject through nats.js's ordered consumer, decoding each. */
async function rawOrderedRead(
  bench: Bench,
  where: { stream: string; subject: string },
  count: number,
): Promise<void> {
  const consumer = await bench.js.consumers.get(where.stream, { filter_subjects: where.subject });
  const messages = await consumer.consume();
  let read = 0;
  for await (const message of messages) {
    message.json();
    if (++read === count) break;
  }
}

function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what} returned ${actual}, expected ${expected}`);
}

async function readComparisons(bench: Bench): Promise<Comparison[]> {
  const perActor = 100;
  const samples = 100;
  progress(`jetstream: writing ${perActor} events to each of ${ACTORS} actors, interleaved`);
  const store = await newStore(bench);
  for (let v = 1; v <= perActor; v++) {
    await Promise.all(
      Array.from({ length: ACTORS }, (_, a) => store.saveEvent(event(`acc-${a}`, v))),
    );
  }
  const stream = eventStreamName(store.namespace);
  const actor = (i: number) => `acc-${(i * 37) % ACTORS}`;
  const total = ACTORS * perActor;
  progress("jetstream: loads");
  const load = await compare(
    `load a ${perActor}-event actor among ${total} events of ${ACTORS} actors (p50 ms)`,
    {
      aether: () =>
        measureLatency("JetStreamEventStore.getEvents", samples, async (i) => {
          expectCount("getEvents", (await store.getEvents(actor(i))).length, perActor);
        }),
      floor: () =>
        measureLatency("ordered consumer on the subject + JSON.parse", samples, (i) =>
          rawOrderedRead(
            bench,
            { stream, subject: actorSubject(store.namespace, actor(i)) },
            perActor,
          ),
        ),
      aim: "p50 <= 5 ms",
    },
  );
  const latest = await compare(`getLatestVersion among ${total} events`, {
    aether: () =>
      measureLatency("JetStreamEventStore.getLatestVersion", samples * 10, (i) =>
        store.getLatestVersion(actor(i)),
      ),
    floor: () =>
      measureLatency("STREAM.MSG.GET last_by_subj + JSON.parse", samples * 10, async (i) => {
        const message = await bench.jsm.streams.getMessage(stream, {
          last_by_subj: actorSubject(store.namespace, actor(i)),
        });
        message?.json();
      }),
  });
  const events = 10_000;
  progress(`jetstream: writing ${events} events to one actor`);
  const replayStore = await newStore(bench);
  const replayStream = eventStreamName(replayStore.namespace);
  for (let v = 1; v <= events; v++) await replayStore.saveEvent(event("long", v));
  progress("jetstream: replays");
  const replay = await compare(`replay ${events} events of one actor (events/s)`, {
    aether: async () => {
      const result = await measureLatency("JetStreamEventStore.readEvents", 10, async () => {
        let read = 0;
        for await (const _ of replayStore.readEvents("long")) read++;
        expectCount("readEvents", read, events);
      });
      return perEvent(result, events);
    },
    floor: async () => {
      const subject = actorSubject(replayStore.namespace, "long");
      const result = await measureLatency("ordered consumer + JSON.parse", 10, () =>
        rawOrderedRead(bench, { stream: replayStream, subject }, events),
      );
      return perEvent(result, events);
    },
    aim: ">= 1.0x",
  });
  return [load, latest, replay];
}

export default async function jetStreamEventStoreBench(): Promise<void> {
  progress("jetstream: starting nats-server");
  await using server = await NatsServer.start();
  // Without noAsyncTraces nats.js builds an Error (with a stack) for every request.
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  try {
    const bench: Bench = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
    progress("jetstream: appends");
    const comparisons = [
      await compare("saveEvent, 1 actor, sequential (p50 ms)", {
        ...(await sequentialSides(bench, 2_000)),
        aim: ">= 0.95x",
      }),
      await compare(`saveEvent, ${ACTORS} actors pipelined`, {
        ...(await appendSides(bench, { actors: ACTORS, calls: 10, size: 1 })),
        aim: ">= 1.0x",
      }),
    ];
    const batch = await compare(`saveEvents of 10, ${ACTORS} actors pipelined (events/s)`, {
      ...(await appendSides(bench, { actors: ACTORS, calls: 10, size: 10 })),
      aim: ">= 100,000 events/s",
    });
    comparisons.push(
      { ...batch, aether: perEvent(batch.aether, 10), floor: perEvent(batch.floor, 10) },
      ...(await readComparisons(bench)),
    );
    printComparisons(
      "JetStreamEventStore vs raw JetStream (nats-server, 1 node, file storage)",
      comparisons,
    );
  } finally {
    await nc.close();
  }
}
