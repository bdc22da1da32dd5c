import { EventBus, type Subscription } from "@aether/event-bus";
import { AetherErrorCode, type Event } from "@aether/kernel";
import { captureLogs } from "@aether/test-support";
import { describe, expect, it } from "vitest";
import { closedAfterEachTest } from "./fixtures/localBuses.js";
import { deferred, makeEvent, takeBuffered } from "./fixtures/events.js";
import { isolationTable, wildcardTable, type PatternCase } from "./fixtures/patternTables.js";

const newBus = closedAfterEachTest();

function pendingOf(bus: EventBus, subscription: Subscription): number {
  return bus.getSubscriptions().find((info) => info.id === subscription.id)?.pending ?? -1;
}

/** Publishes one event per namespace and returns the namespaces the subscription received. */
async function receivedNamespaces(row: PatternCase): Promise<string[]> {
  const bus = newBus();
  const subscription = bus.subscribe(row.pattern);
  const all = [...row.matches, ...row.doesNotMatch];
  for (const namespace of all) bus.publish(namespace, makeEvent({ data: { namespace } }));
  const events = await takeBuffered(subscription, pendingOf(bus, subscription));
  return events.map((event) => (event.data as { namespace: string }).namespace);
}

describe("event-bus: EventBus routing", () => {
  it.each(isolationTable)("isolates an exact namespace: $pattern", async (row) => {
    expect(await receivedNamespaces(row)).toEqual(row.matches);
  });

  it.each(wildcardTable)("matches wildcards with NATS semantics: $pattern", async (row) => {
    expect(await receivedNamespaces(row)).toEqual(row.matches);
  });

  it("delivers one publish to every matching subscription, in publish order", async () => {
    const bus = newBus();
    const exact = bus.subscribe("tenant-a");
    const wildcard = bus.subscribe("*");
    const other = bus.subscribe("tenant-b");
    const events = [makeEvent(), makeEvent(), makeEvent()];
    for (const event of events) bus.publish("tenant-a", event);
    expect(await takeBuffered(exact, 3)).toEqual(events);
    expect(await takeBuffered(wildcard, 3)).toEqual(events);
    expect(pendingOf(bus, other)).toBe(0);
  });

  it("routes to a subscription made after the namespace was first published to", async () => {
    const bus = newBus();
    bus.publish("tenant-a", makeEvent());
    const late = bus.subscribe("tenant-a");
    const event = makeEvent();
    bus.publish("tenant-a", event);
    expect(await takeBuffered(late, 1)).toEqual([event]);
  });

  it("filters by event type and by actor id", async () => {
    const bus = newBus();
    const byType = bus.subscribe("t", { eventTypes: ["Opened", "Closed"] });
    const byActor = bus.subscribe("t", { actorId: "acct-2" });
    const byBoth = bus.subscribe("t", { eventTypes: ["Closed"], actorId: "acct-1" });
    const published = [
      makeEvent({ eventType: "Opened", actorId: "acct-1" }),
      makeEvent({ eventType: "Deposited", actorId: "acct-1" }),
      makeEvent({ eventType: "Opened", actorId: "acct-2" }),
      makeEvent({ eventType: "Closed", actorId: "acct-1" }),
    ];
    for (const event of published) bus.publish("t", event);
    const [opened1, , opened2, closed1] = published;
    expect(await takeBuffered(byType, pendingOf(bus, byType))).toEqual([opened1, opened2, closed1]);
    expect(await takeBuffered(byActor, pendingOf(bus, byActor))).toEqual([opened2]);
    expect(await takeBuffered(byBoth, pendingOf(bus, byBoth))).toEqual([closed1]);
  });

  it("reports subscriptions with their filter and counters", async () => {
    const bus = newBus({ bufferSize: 8 });
    const a = bus.subscribe("tenant-a", { eventTypes: ["X"], actorId: "a1" });
    const b = bus.subscribe("tenant-a.>", { bufferSize: 2, onEvent: () => {} });
    bus.publish("tenant-a", makeEvent({ eventType: "X", actorId: "a1" }));
    expect(bus.getSubscriptions()).toEqual([
      {
        id: a.id,
        pattern: "tenant-a",
        filter: { eventTypes: ["X"], actorId: "a1" },
        delivery: "iterator",
        bufferSize: 8,
        pending: 1,
        delivered: 0,
        dropped: 0,
      },
      {
        id: b.id,
        pattern: "tenant-a.>",
        filter: {},
        delivery: "callback",
        bufferSize: 2,
        pending: 0,
        delivered: 0,
        dropped: 0,
      },
    ]);
    await takeBuffered(a, 1);
    expect(bus.getSubscriptions()[0]).toMatchObject({ pending: 0, delivered: 1 });
    b.unsubscribe();
    expect(bus.getSubscriptions().map((info) => info.id)).toEqual([a.id]);
  });
});

describe("event-bus: EventBus callback form", () => {
  it("calls onEvent in order, after publish has returned", async () => {
    const bus = newBus();
    const seen: string[] = [];
    let publishing = false;
    let calledDuringPublish = false;
    const all = deferred();
    bus.subscribe("t", {
      onEvent: (event) => {
        calledDuringPublish ||= publishing;
        seen.push(event.id);
        if (seen.length === 3) all.resolve();
      },
    });
    const events = [makeEvent(), makeEvent(), makeEvent()];
    publishing = true;
    for (const event of events) bus.publish("t", event);
    publishing = false;
    await all.promise;
    expect(seen).toEqual(events.map((event) => event.id));
    expect(calledDuringPublish).toBe(false);
  });

  it("waits for an async onEvent before delivering the next event", async () => {
    const bus = newBus();
    const log: string[] = [];
    const done = deferred();
    bus.subscribe("t", {
      onEvent: async (event) => {
        log.push(`start ${event.id}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${event.id}`);
        if (log.length === 4) done.resolve();
      },
    });
    const [a, b] = [makeEvent(), makeEvent()];
    bus.publish("t", a);
    bus.publish("t", b);
    await done.promise;
    expect(log).toEqual([`start ${a.id}`, `end ${a.id}`, `start ${b.id}`, `end ${b.id}`]);
  });

  it("keeps delivering after onEvent throws or rejects", async () => {
    const bus = newBus();
    const seen: number[] = [];
    const done = deferred();
    bus.subscribe("t", {
      onEvent: (event) => {
        const n = (event.data as { n: number }).n;
        seen.push(n);
        if (n === 3) done.resolve();
        if (n === 1) throw new Error("sync failure");
        if (n === 2) return Promise.reject(new Error("async failure"));
      },
    });
    for (const n of [1, 2, 3]) bus.publish("t", makeEvent({ data: { n } }));
    await done.promise;
    expect(seen).toEqual([1, 2, 3]);
  });

  it("treats a returned thenable whose then throws, or that settles twice, like a failing callback", async () => {
    const { logger, lines } = captureLogs({ level: "warn" });
    const bus = newBus({ logger, logIntervalMs: 0 });
    const seen: number[] = [];
    const done = deferred();
    bus.subscribe("t", {
      onEvent: (event): PromiseLike<void> | void => {
        const n = (event.data as { n: number }).n;
        seen.push(n);
        if (n === 5) done.resolve();
        if (n === 1)
          return {
            then: () => {
              throw new Error("then throws");
            },
          };
        if (n === 2) {
          return Object.defineProperty({}, "then", {
            get: () => {
              throw new Error("then getter throws");
            },
          }) as PromiseLike<void>;
        }
        if (n === 3) {
          return {
            then: (resolve: () => void, reject: (reason: unknown) => void) => {
              resolve();
              reject(new Error("and rejects after resolving"));
              resolve();
            },
          } as unknown as PromiseLike<void>;
        }
      },
    });
    for (const n of [1, 2, 3, 4, 5]) bus.publish("t", makeEvent({ data: { n } }));
    await done.promise;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const failures = lines.filter(
      (line) => line.msg === "subscriber callback failed; delivery goes on",
    );
    expect(failures.map((line) => (line["err"] as { message: string }).message)).toEqual([
      "then throws",
      "then getter throws",
    ]);
  });

  it("refuses to iterate a callback subscription", () => {
    const bus = newBus();
    const subscription = bus.subscribe("t", { onEvent: () => {} });
    expect(() => subscription[Symbol.asyncIterator]()).toThrow(
      expect.objectContaining({ code: AetherErrorCode.InvalidArgument }),
    );
  });
});

describe("event-bus: EventBus lifecycle", () => {
  async function loopUntilEnd(subscription: Subscription): Promise<Event[]> {
    const seen: Event[] = [];
    for await (const event of subscription) seen.push(event);
    return seen;
  }

  it("unsubscribe ends a waiting for-await loop and frees the buffer", async () => {
    const bus = newBus();
    const subscription = bus.subscribe("t");
    const loop = loopUntilEnd(subscription);
    const event = makeEvent();
    bus.publish("t", event);
    await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(await loop).toEqual([event]);
    bus.publish("t", makeEvent());
    expect(bus.getSubscriptions()).toEqual([]);
  });

  it("unsubscribe discards buffered events: the loop ends without them", async () => {
    const bus = newBus();
    const subscription = bus.subscribe("t");
    bus.publish("t", makeEvent());
    bus.publish("t", makeEvent());
    subscription.unsubscribe();
    expect(await loopUntilEnd(subscription)).toEqual([]);
  });

  it("close ends every loop, is idempotent, and refuses further work", async () => {
    const bus = new EventBus();
    const loops = [loopUntilEnd(bus.subscribe("a")), loopUntilEnd(bus.subscribe(">"))];
    await bus.close();
    await bus.close();
    expect(await Promise.all(loops)).toEqual([[], []]);
    expect(bus.getSubscriptions()).toEqual([]);
    expect(() => bus.publish("a", makeEvent())).toThrow(
      expect.objectContaining({ code: AetherErrorCode.Closed }),
    );
    expect(() => bus.subscribe("a")).toThrow(
      expect.objectContaining({ code: AetherErrorCode.Closed }),
    );
    expect(() =>
      bus.publishDomainEvent({ type: "NodeJoined", at: new Date().toISOString(), nodeId: "n" }),
    ).not.toThrow();
  });

  it("close does not wait for a callback that never settles", async () => {
    const bus = new EventBus();
    const started = deferred();
    bus.subscribe("t", {
      onEvent: () => {
        started.resolve();
        return new Promise<void>(() => {});
      },
    });
    bus.publish("t", makeEvent());
    await started.promise;
    await bus.close();
    expect(bus.getSubscriptions()).toEqual([]);
  });

  it("leaving a for-await loop early unsubscribes", async () => {
    const bus = newBus();
    const subscription = bus.subscribe("t");
    bus.publish("t", makeEvent());
    bus.publish("t", makeEvent());
    for await (const _event of subscription) break;
    expect(bus.getSubscriptions()).toEqual([]);
  });

  it("supports using-declarations", async () => {
    const bus = newBus();
    {
      using _subscription = bus.subscribe("t");
      expect(bus.getSubscriptions()).toHaveLength(1);
    }
    expect(bus.getSubscriptions()).toEqual([]);
  });
});

describe("event-bus: EventBus argument checks", () => {
  const bus = new EventBus();
  const code = (c: string) => expect.objectContaining({ code: c });

  it.each(["", "a..b", "a.>.b", "a b", "tenant*", "a.", "\u0000"])(
    "rejects the pattern %j with INVALID_NAMESPACE",
    (pattern) => {
      expect(() => bus.subscribe(pattern)).toThrow(code(AetherErrorCode.InvalidNamespace));
    },
  );

  it.each(["", "a.*", ">", "a..b", "a b", "_aether", "_aether.x"])(
    "rejects publishing to %j with INVALID_NAMESPACE",
    (namespace) => {
      expect(() => bus.publish(namespace, makeEvent())).toThrow(
        code(AetherErrorCode.InvalidNamespace),
      );
    },
  );

  it.each([0, -1, 1.5, Number.NaN])("rejects bufferSize %s", (bufferSize) => {
    expect(() => bus.subscribe("t", { bufferSize })).toThrow(code(AetherErrorCode.InvalidArgument));
    expect(() => new EventBus({ bufferSize })).toThrow(code(AetherErrorCode.InvalidArgument));
  });

  it.each([-1, 1.5, Number.NaN])("rejects logIntervalMs %s, naming it", (logIntervalMs) => {
    expect(() => new EventBus({ logIntervalMs })).toThrow(
      expect.objectContaining({
        code: AetherErrorCode.InvalidArgument,
        message: expect.stringMatching(/^logIntervalMs must be an integer from 0 to /),
      }),
    );
  });

  it("rejects an empty eventTypes list and an empty actorId", () => {
    expect(() => bus.subscribe("t", { eventTypes: [] })).toThrow(
      code(AetherErrorCode.InvalidArgument),
    );
    expect(() => bus.subscribe("t", { actorId: "" })).toThrow(
      code(AetherErrorCode.InvalidArgument),
    );
  });
});
