import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { createId, type NewEvent } from "@aether/kernel";
import { NatsServer, uniqueName } from "@aether/test-support";
import { DeliverPolicy, jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { performance } from "node:perf_hooks";
import {
  measureThroughput,
  printComparisons,
  progress,
  type BenchResult,
  type Comparison,
} from "../harness.js";

const ACTORS = 1_000;
const PER_ACTOR = 100;
const TOTAL = ACTORS * PER_ACTOR;
/** Rounds after one unmeasured warm-up, the two sides taking turns to go first; median kept. */
const ROUNDS = 5;
const LIVE_RATE = 1_000;
const LIVE_SECONDS = 5;

function event(actorId: string, version: number): NewEvent {
  return {
    id: createId(),
    eventType: "Deposited",
    actorId,
    version,
    data: { amount: version, currency: "EUR", note: "bench deposit" },
  };
}

function median<T>(values: T[], key: (value: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function catchUpRead(store: JetStreamEventStore): Promise<BenchResult> {
  return measureThroughput("JetStreamEventStore.subscribeAll to caughtUp", TOTAL, async () => {
    let events = 0;
    const subscription = store.subscribeAll();
    for await (const item of subscription) {
      if (item.type === "event") events++;
      else if (item.type === "caughtUp") break;
    }
    if (events !== TOTAL) throw new Error(`subscribeAll delivered ${events}, expected ${TOTAL}`);
  });
}

/** The floor: nats.js's ordered consumer over the whole stream, JSON-decoding each message. */
async function rawCatchUpRead(js: JetStreamClient, stream: string): Promise<BenchResult> {
  return measureThroughput("ordered consumer + JSON.parse", TOTAL, async () => {
    const consumer = await js.consumers.get(stream);
    const messages = await consumer.consume();
    let read = 0;
    for await (const message of messages) {
      message.json();
      if (++read === TOTAL) break;
    }
    await messages.close();
  });
}

async function catchUpComparison(nc: NatsConnection, js: JetStreamClient): Promise<Comparison> {
  const store = new JetStreamEventStore(nc, { namespace: uniqueName("catchup") });
  await store.ensureStream();
  progress(`catch-up: writing ${PER_ACTOR} events to each of ${ACTORS} actors, interleaved`);
  for (let v = 1; v <= PER_ACTOR; v++) {
    await Promise.all(
      Array.from({ length: ACTORS }, (_, a) => store.saveEvent(event(`acc-${a}`, v))),
    );
  }
  progress("catch-up: reading");
  const aether: BenchResult[] = [];
  const floor: BenchResult[] = [];
  await catchUpRead(store);
  await rawCatchUpRead(js, store.streamName);
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      aether.push(await catchUpRead(store));
      floor.push(await rawCatchUpRead(js, store.streamName));
    } else {
      floor.push(await rawCatchUpRead(js, store.streamName));
      aether.push(await catchUpRead(store));
    }
  }
  return {
    case: `catch-up over ${TOTAL.toLocaleString("en-US")} events of ${ACTORS} actors (events/s)`,
    aether: median(aether, (r) => r.opsPerSec),
    floor: median(floor, (r) => r.opsPerSec),
    aim: ">= 1.0x",
  };
}

interface Lag {
  p50: number;
  p99: number;
  samples: number;
}

function lagOf(lags: number[]): Lag {
  lags.sort((a, b) => a - b);
  return { p50: percentile(lags, 50), p99: percentile(lags, 99), samples: lags.length };
}

/** Fires `append(i)` LIVE_RATE times a second for LIVE_SECONDS, on schedule, not after answers. */
async function paced(append: (i: number) => Promise<unknown>): Promise<void> {
  const count = LIVE_RATE * LIVE_SECONDS;
  const start = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / LIVE_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(append(i));
  }
  await Promise.all(inFlight);
}

/** Lag from the start of saveEvent to the subscriber holding the event, at LIVE_RATE appends/s. */
async function liveLag(nc: NatsConnection): Promise<Lag> {
  const store = new JetStreamEventStore(nc, { namespace: uniqueName("live") });
  await store.ensureStream();
  const sentAt = new Map<string, number>();
  const lags: number[] = [];
  const count = LIVE_RATE * LIVE_SECONDS;
  const subscription = store.subscribeAll();
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const reading = (async () => {
    for await (const item of subscription) {
      if (item.type !== "event") continue;
      lags.push(performance.now() - sentAt.get(item.event.id)!);
      if (lags.length === count) resolveAll();
    }
  })();
  await subscription.caughtUp;
  // One writer per actor: 100 actors, so an actor's next append comes 100 ms after its last.
  const versions = new Array<number>(100).fill(0);
  await paced(async (i) => {
    const actor = i % 100;
    const next = event(`acc-${actor}`, ++versions[actor]!);
    sentAt.set(next.id, performance.now());
    await store.saveEvent(next);
  });
  await all;
  await subscription.close();
  await reading;
  return lagOf(lags);
}

/** The floor: raw js.publish to a stream and nats.js's ordered consumer at its head. */
async function rawLiveLag(nc: NatsConnection, js: JetStreamClient): Promise<Lag> {
  const name = uniqueName("RAWLIVE").replaceAll("-", "_");
  const jsm = await js.jetstreamManager();
  await jsm.streams.add({
    name,
    subjects: [`${name}.*`],
    storage: "file",
    num_replicas: 1,
  } as never);
  const consumer = await js.consumers.get(name, { deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  const lags: number[] = [];
  const count = LIVE_RATE * LIVE_SECONDS;
  const reading = (async () => {
    for await (const message of messages) {
      const { sentAt } = message.json<{ sentAt: number }>();
      lags.push(performance.now() - sentAt);
      if (lags.length === count) break;
    }
  })();
  await paced((i) =>
    js.publish(`${name}.acc-${i % 100}`, JSON.stringify({ sentAt: performance.now(), i })),
  );
  await reading;
  await messages.close();
  await jsm.streams.delete(name);
  void nc;
  return lagOf(lags);
}

export default async function catchUpSubscriptionBench(): Promise<void> {
  progress("catch-up: starting nats-server");
  await using server = await NatsServer.start();
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  try {
    const js = jetstream(nc);
    printComparisons(
      "Catch-up subscription vs a raw ordered consumer (nats-server, 1 node, file storage)",
      [await catchUpComparison(nc, js)],
    );
    progress(`live lag: ${LIVE_RATE} appends/s for ${LIVE_SECONDS} s`);
    const lag = await liveLag(nc);
    const raw = await rawLiveLag(nc, js);
    const lines = [
      `\n### Live lag at ${LIVE_RATE} appends/s (append sent → event in the subscriber's hands)\n`,
      "| side | samples | p50 ms | p99 ms | aim |",
      "| --- | ---: | ---: | ---: | --- |",
      `| subscribeAll after caughtUp (saveEvent → item) | ${lag.samples} | ${lag.p50.toFixed(3)} | ${lag.p99.toFixed(3)} | p99 <= 50 ms |`,
      `| floor: js.publish → nats.js ordered consumer at the head | ${raw.samples} | ${raw.p50.toFixed(3)} | ${raw.p99.toFixed(3)} | |`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await nc.close();
  }
}
