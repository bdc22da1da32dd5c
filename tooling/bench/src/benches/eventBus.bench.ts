import { EventEmitter } from "node:events";
import { EventBus, type Subscription } from "@aether/event-bus";
import type { Event } from "@aether/kernel";
import { measureThroughput, printComparisons, progress, type BenchResult } from "../harness.js";

const EVENTS = 200_000;
// Publishers yield between batches, as any real producer does; the batch fits the default buffer.
const BATCH = 256;
const NAMESPACE = "tenant-a.accounts";
const TYPES = ["Opened", "Deposited", "Withdrawn", "Closed"] as const;

const events: Event[] = Array.from({ length: EVENTS }, (_, i) => ({
  id: `evt-${i}`,
  eventType: TYPES[i % TYPES.length]!,
  actorId: `acct-${i % 100}`,
  version: Math.floor(i / 100) + 1,
  data: { amount: i % 1000, currency: "EUR" },
  timestamp: "2026-01-01T00:00:00.000Z",
}));

/** Subscriber i wants one event type: a quarter of the traffic each, so the filter does work. */
function filterOf(subscriber: number): readonly string[] {
  return [TYPES[subscriber % TYPES.length]!];
}

function expectedDeliveries(subscribers: number): number {
  let total = 0;
  for (let s = 0; s < subscribers; s++) total += EVENTS / TYPES.length;
  return total;
}

/**
 * A microtask turn between batches is enough for callbacks; a `for await` reader needs a few turns
 * per event, so the iterator runs yield a macrotask instead (to the EventEmitter beside them too).
 */
type Yield = () => Promise<unknown>;
const microtask: Yield = async () => {};
const macrotask: Yield = () => new Promise((resolve) => setImmediate(resolve));

async function publishAll(publish: (event: Event) => void, yieldTurn: Yield): Promise<void> {
  for (let start = 0; start < EVENTS; start += BATCH) {
    const end = Math.min(start + BATCH, EVENTS);
    for (let i = start; i < end; i++) publish(events[i]!);
    await yieldTurn();
  }
}

function check(name: string, delivered: number, expected: number): void {
  if (delivered !== expected) {
    throw new Error(`${name}: delivered ${delivered} events, expected ${expected}`);
  }
}

async function eventEmitter(subscribers: number, yieldTurn: Yield): Promise<BenchResult> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(subscribers + 1);
  let delivered = 0;
  for (let s = 0; s < subscribers; s++) {
    const wanted = new Set(filterOf(s));
    emitter.on(NAMESPACE, (event: Event) => {
      if (wanted.has(event.eventType)) delivered++;
    });
  }
  const result = await measureThroughput("EventEmitter", EVENTS, () =>
    publishAll((event) => emitter.emit(NAMESPACE, event), yieldTurn),
  );
  check("EventEmitter", delivered, expectedDeliveries(subscribers));
  return result;
}

async function busWithCallbacks(subscribers: number): Promise<BenchResult> {
  const bus = new EventBus();
  let delivered = 0;
  const subscriptions: Subscription[] = [];
  for (let s = 0; s < subscribers; s++) {
    subscriptions.push(
      bus.subscribe(NAMESPACE, { eventTypes: filterOf(s), onEvent: () => void delivered++ }),
    );
  }
  // Traffic for another tenant that no subscriber may see, so routing is exercised too.
  bus.subscribe("tenant-b.accounts", { onEvent: () => void delivered++ });
  const result = await measureThroughput("EventBus onEvent", EVENTS, () =>
    publishAll((event) => bus.publish(NAMESPACE, event), microtask),
  );
  check("EventBus onEvent", delivered, expectedDeliveries(subscribers));
  check(
    "EventBus drops",
    subscriptions.reduce((sum, s) => sum + s.dropped, 0),
    0,
  );
  await bus.close();
  return result;
}

async function busWithIterators(subscribers: number): Promise<BenchResult> {
  const bus = new EventBus();
  let delivered = 0;
  const subscriptions = Array.from({ length: subscribers }, (_, s) =>
    bus.subscribe(NAMESPACE, { eventTypes: filterOf(s) }),
  );
  const readers = subscriptions.map(async (subscription) => {
    for await (const _event of subscription) delivered++;
  });
  const result = await measureThroughput("EventBus for-await", EVENTS, async () => {
    await publishAll((event) => bus.publish(NAMESPACE, event), macrotask);
    await macrotask();
  });
  check(
    "EventBus for-await drops",
    subscriptions.reduce((sum, s) => sum + s.dropped, 0),
    0,
  );
  check("EventBus for-await", delivered, expectedDeliveries(subscribers));
  await bus.close();
  await Promise.all(readers);
  return result;
}

/** Best of `runs`, alternating the two sides so both see the same machine state. */
async function bestOf(
  runs: number,
  aether: () => Promise<BenchResult>,
  floor: () => Promise<BenchResult>,
): Promise<[BenchResult, BenchResult]> {
  let best: [BenchResult, BenchResult] | undefined;
  for (let run = 0; run < runs; run++) {
    const a = await aether();
    const f = await floor();
    best = [
      best === undefined || a.opsPerSec > best[0].opsPerSec ? a : best[0],
      best === undefined || f.opsPerSec > best[1].opsPerSec ? f : best[1],
    ];
  }
  return best!;
}

export default async function eventBusBench(): Promise<void> {
  progress("local event bus: warming up");
  for (const subscribers of [1, 10]) {
    await busWithCallbacks(subscribers);
    await busWithIterators(subscribers);
    await eventEmitter(subscribers, microtask);
  }
  const rows = [];
  for (const subscribers of [1, 10]) {
    progress(`local event bus: ${subscribers} subscriber(s)`);
    const [callbacks, emitter] = await bestOf(
      3,
      () => busWithCallbacks(subscribers),
      () => eventEmitter(subscribers, microtask),
    );
    rows.push({
      case: `publish→deliver, ${subscribers} subscriber(s), event-type filter, onEvent`,
      aether: callbacks,
      floor: emitter,
      aim: ">= 0.5x",
    });
    const [iterators, emitter2] = await bestOf(
      3,
      () => busWithIterators(subscribers),
      () => eventEmitter(subscribers, macrotask),
    );
    rows.push({
      case: `publish→deliver, ${subscribers} subscriber(s), event-type filter, for await`,
      aether: iterators,
      floor: emitter2,
    });
  }
  printComparisons(
    `Local EventBus vs Node EventEmitter (${EVENTS.toLocaleString("en-US")} events published, ops = publishes)`,
    rows,
  );
}
