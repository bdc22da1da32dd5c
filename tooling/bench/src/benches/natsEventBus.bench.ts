import { NatsEventBus } from "@aether/event-bus/nats";
import type { Event } from "@aether/kernel";
import { NatsServer } from "@aether/test-support";
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { measureThroughput, printComparisons, progress, type BenchResult } from "../harness.js";

const EVENTS = 100_000;
// The publisher yields a macrotask per batch so sockets on both sides get read and written.
const BATCH = 1_000;
const NAMESPACE = "tenant-a.accounts";

const events: Event[] = Array.from({ length: EVENTS }, (_, i) => ({
  id: `01890a5d-ac96-774b-bcce-b302099a${String(i).padStart(4, "0")}`,
  eventType: "Deposited",
  actorId: `acct-${i % 100}`,
  version: Math.floor(i / 100) + 1,
  data: { amount: i % 1000, currency: "EUR", note: "bench deposit" },
  metadata: { correlationId: `corr-${i}` },
  timestamp: "2026-01-01T00:00:00.000Z",
}));

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

/** Publishes every event; with two publishers, even events from the first and odd from the second. */
async function publishAll(...publishers: ((event: Event) => void)[]): Promise<void> {
  for (let start = 0; start < EVENTS; start += BATCH) {
    const end = Math.min(start + BATCH, EVENTS);
    for (let i = start; i < end; i++) publishers[i % publishers.length]!(events[i]!);
    await macrotask();
  }
}

function allReceived(expected = EVENTS): { done: Promise<void>; count: () => void } {
  let received = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    done,
    count: () => {
      if (++received === expected) resolve();
    },
  };
}

interface Pair {
  publisher: NatsConnection;
  subscriber: NatsConnection;
}

let runSerial = 0;

type RawMode = "json" | "json+header" | "bytes";

const rawNames: Record<RawMode, string> = {
  json: "raw NATS + JSON",
  "json+header": "raw NATS + JSON + node-id header",
  bytes: "raw NATS, pre-encoded bytes",
};

/**
 * The floor: what an application does without Aether — JSON out, core NATS, JSON back in. The
 * header variant adds the one header NatsEventBus sends (the publishing node's id), which shows
 * how much of the gap is the NATS client's header handling rather than the bus.
 */
async function rawNats({ publisher, subscriber }: Pair, mode: RawMode): Promise<BenchResult> {
  const subject = `raw.bus.${++runSerial}`;
  const tally = allReceived();
  const decode = mode !== "bytes";
  const subscription = subscriber.subscribe(subject, {
    callback: (_error, message) => {
      if (decode) JSON.parse(message.string());
      tally.count();
    },
  });
  await subscriber.flush();
  const encoded = decode
    ? []
    : events.map((event) => new TextEncoder().encode(JSON.stringify(event)));
  const nodeHeader = headers();
  nodeHeader.set("Aether-Node-Id", "raw-publisher");
  const options = mode === "json+header" ? { headers: nodeHeader } : undefined;
  const result = await measureThroughput(rawNames[mode], EVENTS, async () => {
    let i = 0;
    await publishAll((event) => {
      publisher.publish(subject, decode ? JSON.stringify(event) : encoded[i++]!, options);
    });
    await tally.done;
  });
  subscription.unsubscribe();
  return result;
}

async function natsEventBus({ publisher, subscriber }: Pair): Promise<BenchResult> {
  const source = new NatsEventBus(publisher, { nodeId: `bench-pub-${++runSerial}` });
  const sink = new NatsEventBus(subscriber, { nodeId: `bench-sub-${runSerial}` });
  const tally = allReceived();
  const subscription = sink.subscribe(NAMESPACE, {
    eventTypes: ["Deposited"],
    onEvent: tally.count,
  });
  await sink.flush();
  const result = await measureThroughput("NatsEventBus", EVENTS, async () => {
    await publishAll((event) => source.publish(NAMESPACE, event));
    await tally.done;
  });
  if (subscription.dropped !== 0) throw new Error(`NatsEventBus dropped ${subscription.dropped}`);
  await Promise.all([source.close(), sink.close()]);
  return result;
}

/**
 * Two nodes that both publish and subscribe: each sees every event, its own locally. The floor
 * is hand-rolled: call the handler for one's own events, and connect with `noEcho` so they do not
 * come back. NatsEventBus cannot assume `noEcho` of a connection it is given, so its own events
 * do come back, and it must read their header to drop them.
 */
async function rawNatsBothWays({ publisher, subscriber }: Pair): Promise<BenchResult> {
  const subject = `raw.both.${++runSerial}`;
  const tallies = [allReceived(), allReceived()];
  const subscriptions = [publisher, subscriber].map((nc, node) =>
    nc.subscribe(subject, {
      callback: (_error, message) => {
        JSON.parse(message.string());
        tallies[node]!.count();
      },
    }),
  );
  await Promise.all([publisher.flush(), subscriber.flush()]);
  const sendFrom = (nc: NatsConnection, node: number) => (event: Event) => {
    tallies[node]!.count();
    nc.publish(subject, JSON.stringify(event));
  };
  const result = await measureThroughput("raw NATS + JSON, noEcho", EVENTS, async () => {
    await publishAll(sendFrom(publisher, 0), sendFrom(subscriber, 1));
    await Promise.all(tallies.map((tally) => tally.done));
  });
  for (const subscription of subscriptions) subscription.unsubscribe();
  return result;
}

async function natsEventBusBothWays(
  { publisher, subscriber }: Pair,
  name: string,
): Promise<BenchResult> {
  const nodes = [
    new NatsEventBus(publisher, { nodeId: `bench-a-${++runSerial}` }),
    new NatsEventBus(subscriber, { nodeId: `bench-b-${runSerial}` }),
  ];
  const tallies = nodes.map((bus) => {
    const tally = allReceived();
    bus.subscribe(NAMESPACE, { eventTypes: ["Deposited"], onEvent: tally.count });
    return tally;
  });
  await Promise.all(nodes.map((bus) => bus.flush()));
  const result = await measureThroughput(name, EVENTS, async () => {
    await publishAll(...nodes.map((bus) => (event: Event) => bus.publish(NAMESPACE, event)));
    await Promise.all(tallies.map((tally) => tally.done));
  });
  await Promise.all(nodes.map((bus) => bus.close()));
  return result;
}

export default async function natsEventBusBench(): Promise<void> {
  progress("NATS event bus: starting nats-server");
  const server = await NatsServer.start({ jetstream: false });
  const options = { servers: server.url, noAsyncTraces: true };
  const pair: Pair = { publisher: await connect(options), subscriber: await connect(options) };
  const noEcho = { ...options, noEcho: true };
  const noEchoPair: Pair = { publisher: await connect(noEcho), subscriber: await connect(noEcho) };
  try {
    progress("NATS event bus: warming up");
    await natsEventBus(pair);
    await rawNats(pair, "json");
    await rawNats(pair, "json+header");
    await rawNats(pair, "bytes");
    await natsEventBusBothWays(pair, "NatsEventBus");
    await natsEventBusBothWays(noEchoPair, "NatsEventBus, noEcho");
    await rawNatsBothWays(noEchoPair);
    const keys = ["bus", "json", "header", "bytes", "busBoth", "busBothNoEcho", "rawBoth"] as const;
    const best = { bus: 0, json: 0, header: 0, bytes: 0, busBoth: 0, busBothNoEcho: 0, rawBoth: 0 };
    const results: Partial<Record<(typeof keys)[number], BenchResult>> = {};
    for (let run = 0; run < 3; run++) {
      progress(`NATS event bus: run ${run + 1} of 3`);
      const measured = {
        bus: await natsEventBus(pair),
        json: await rawNats(pair, "json"),
        header: await rawNats(pair, "json+header"),
        bytes: await rawNats(pair, "bytes"),
        busBoth: await natsEventBusBothWays(pair, "NatsEventBus"),
        busBothNoEcho: await natsEventBusBothWays(noEchoPair, "NatsEventBus, noEcho"),
        rawBoth: await rawNatsBothWays(noEchoPair),
      };
      for (const key of keys) {
        if (measured[key].opsPerSec > best[key]) {
          best[key] = measured[key].opsPerSec;
          results[key] = measured[key];
        }
      }
    }
    const payload = JSON.stringify(events[0]).length;
    printComparisons(
      `NatsEventBus vs raw core NATS (${EVENTS.toLocaleString("en-US")} events of ~${payload} bytes, one publisher and one subscriber connection, ops = events delivered)`,
      [
        {
          case: "publish→deliver to a subscriber on another connection",
          aether: results.bus!,
          floor: results.json!,
          aim: ">= 0.8x",
        },
        {
          case: "publish→deliver to a subscriber on another connection",
          aether: results.bus!,
          floor: results.header!,
        },
        {
          case: "publish→deliver to a subscriber on another connection",
          aether: results.bus!,
          floor: results.bytes!,
        },
        {
          case: "two nodes publishing to each other, each delivering every event",
          aether: results.busBoth!,
          floor: results.rawBoth!,
        },
        {
          case: "two nodes publishing to each other, bus connections made with noEcho",
          aether: results.busBothNoEcho!,
          floor: results.rawBoth!,
          aim: ">= 0.8x",
        },
      ],
    );
  } finally {
    const connections = [pair, noEchoPair].flatMap(({ publisher, subscriber }) => [
      publisher,
      subscriber,
    ]);
    await Promise.all(connections.map((nc) => nc.close()));
    await server.dispose();
  }
}
