import { DOMAIN_EVENTS_NAMESPACE } from "@aether/event-bus";
import { NatsEventBus, NODE_ID_HEADER } from "@aether/event-bus/nats";
import { AetherErrorCode, type Event } from "@aether/kernel";
import { natsTestContextForFile, uniqueName, waitFor } from "@aether/test-support";
import { headers } from "@nats-io/nats-core";
import { afterEach, describe, expect, it } from "vitest";
import { makeEvent } from "./fixtures/events.js";
import { record, settle } from "./fixtures/nats.js";
import { isolationTable, wildcardTable } from "./fixtures/patternTables.js";

const nats = natsTestContextForFile();
const buses: NatsEventBus[] = [];

async function newBus(nodeId = uniqueName("node")): Promise<NatsEventBus> {
  const nc = await nats.connect();
  const bus = new NatsEventBus(nc, { nodeId });
  buses.push(bus);
  return bus;
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

/** Namespaces are unique per test, so tests sharing the server never see each other's events. */
function scope(): (namespace: string) => string {
  const prefix = uniqueName("ns").replace(/[^A-Za-z0-9-]/g, "-");
  return (namespace) => `${prefix}.${namespace}`;
}

describe("event-bus: NatsEventBus across nodes", () => {
  it("two buses exchange events, and each node sees its own events exactly once", async () => {
    const [a, b] = [await newBus("a"), await newBus("b")];
    const ns = scope()("orders");
    const atA = record(a, ns);
    const atB = record(b, ns);
    await settle(a, b);
    const fromA = [makeEvent(), makeEvent()];
    const fromB = [makeEvent(), makeEvent(), makeEvent()];
    for (const event of fromA) a.publish(ns, event);
    for (const event of fromB) b.publish(ns, event);
    await waitFor(() => atA.events.length >= 5 && atB.events.length >= 5);
    await settle(a, b);
    const byId = (events: Event[]) => events.map((event) => event.id).sort();
    const all = byId([...fromA, ...fromB]);
    expect(byId(atA.events)).toEqual(all);
    expect(byId(atB.events)).toEqual(all);
    // Each node's own events in publish order, then remote ones in their publish order.
    expect(atA.ids().filter((id) => fromA.some((e) => e.id === id))).toEqual(
      fromA.map((e) => e.id),
    );
    expect(atB.ids().filter((id) => fromA.some((e) => e.id === id))).toEqual(
      fromA.map((e) => e.id),
    );
    expect(atA.events.find((event) => event.id === fromB[0]!.id)).toEqual(fromB[0]);
    expect(a.stats()).toMatchObject({ connected: true, sent: 2, received: 3, undecodable: 0 });
  });

  it("three buses: every publish reaches every node once", async () => {
    const nodes = [await newBus("n1"), await newBus("n2"), await newBus("n3")];
    const ns = scope()("t");
    const recorders = nodes.map((bus) => record(bus, ns));
    await settle(...nodes);
    const published: string[] = [];
    for (let round = 0; round < 10; round++) {
      for (const bus of nodes) {
        const event = makeEvent({ data: { from: bus.nodeId, round } });
        published.push(event.id);
        bus.publish(ns, event);
      }
    }
    await waitFor(() => recorders.every((r) => r.events.length >= published.length));
    await settle(...nodes);
    for (const recorder of recorders) {
      expect(recorder.ids().sort()).toEqual([...published].sort());
    }
  });

  it.each([...isolationTable, ...wildcardTable])(
    "pattern $pattern across nodes receives exactly what it matches",
    async ({ pattern, matches, doesNotMatch }) => {
      const prefix = uniqueName("iso").replace(/[^A-Za-z0-9-]/g, "-");
      // The pattern and every namespace get the same unique first token, so tests stay apart.
      const scoped = (value: string) => `${prefix}.${value}`;
      const [publisher, subscriber] = [await newBus(), await newBus()];
      const recorder = record(subscriber, scoped(pattern));
      await settle(publisher, subscriber);
      for (const namespace of [...doesNotMatch, ...matches]) {
        publisher.publish(scoped(namespace), makeEvent({ data: { namespace } }));
      }
      await waitFor(() => recorder.events.length >= matches.length);
      await settle(publisher, subscriber);
      const received = recorder.events.map(
        (event) => (event.data as { namespace: string }).namespace,
      );
      expect(received).toEqual(matches);
    },
  );

  it("applies event-type and actor filters to remote events", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope()("accounts");
    const opened = record(b, ns, { eventTypes: ["Opened"] });
    const acct2 = record(b, ns, { actorId: "acct-2" });
    await settle(a, b);
    a.publish(ns, makeEvent({ eventType: "Opened", actorId: "acct-1" }));
    a.publish(ns, makeEvent({ eventType: "Closed", actorId: "acct-2" }));
    a.publish(ns, makeEvent({ eventType: "Opened", actorId: "acct-2" }));
    await waitFor(() => opened.events.length >= 2 && acct2.events.length >= 2);
    await settle(a, b);
    expect(opened.events.map((e) => e.actorId)).toEqual(["acct-1", "acct-2"]);
    expect(acct2.events.map((e) => e.eventType)).toEqual(["Closed", "Opened"]);
  });

  it("overlapping patterns on one node each get a remote event once", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope();
    const exact = record(b, ns("x"));
    const wildcard = record(b, ns("*"));
    const tail = record(b, `${ns("x").split(".")[0]}.>`);
    await settle(a, b);
    const event = makeEvent();
    a.publish(ns("x"), event);
    await waitFor(() => exact.events.length + wildcard.events.length + tail.events.length >= 3);
    await settle(a, b);
    for (const recorder of [exact, wildcard, tail]) expect(recorder.ids()).toEqual([event.id]);
  });

  it("a slow subscriber on one node does not slow the others", async () => {
    const [publisher, slowNode, otherNode] = [await newBus(), await newBus(), await newBus()];
    const ns = scope()("busy");
    const total = 2_000;
    const stalled = slowNode.subscribe(ns, { bufferSize: 10 });
    const sameNode = record(slowNode, ns);
    const elsewhere = record(otherNode, ns);
    const local = record(publisher, ns);
    await settle(publisher, slowNode, otherNode);
    for (let i = 0; i < total; i++) {
      publisher.publish(ns, makeEvent({ data: { i } }));
      // Let the receiving buses read their sockets now and then, as a real publisher would.
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(
      () =>
        sameNode.events.length === total &&
        elsewhere.events.length === total &&
        local.events.length === total,
      { timeoutMs: 20_000, description: "every reader has every event" },
    );
    expect(stalled.dropped).toBe(total - 10);
    expect(sameNode.subscription.dropped + elsewhere.subscription.dropped).toBe(0);
    expect(elsewhere.events.map((event) => (event.data as { i: number }).i)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });

  it("stops NATS interest when the last subscriber of a pattern leaves", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope();
    const first = record(b, ns("gone"));
    const second = b.subscribe(ns("gone"));
    const barrier = record(b, ns("barrier"));
    await settle(a, b);
    first.subscription.unsubscribe();
    a.publish(ns("gone"), makeEvent());
    await settle(a, b);
    expect(b.stats().received).toBe(1);
    second.unsubscribe();
    await settle(a, b);
    const inBefore = b.connection.stats().inMsgs;
    for (let i = 0; i < 5; i++) a.publish(ns("gone"), makeEvent());
    a.publish(ns("barrier"), makeEvent());
    await waitFor(() => barrier.events.length === 1);
    // Only the barrier crossed the wire: the server no longer forwards the abandoned namespace.
    expect(b.connection.stats().inMsgs - inBefore).toBe(1);
  });

  it("skips and counts messages that are not events, and keeps delivering", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope()("dirty");
    const recorder = record(b, ns);
    await settle(a, b);
    const raw = a.connection;
    const subject = `aether.bus.${ns}`;
    raw.publish(subject, "not json");
    raw.publish(subject, JSON.stringify({ id: "x", eventType: "T" }));
    raw.publish(subject, new Uint8Array([0xff, 0xfe]));
    const valid = makeEvent();
    const rawHeaders = headers();
    rawHeaders.set(NODE_ID_HEADER, "some-other-node");
    raw.publish(subject, JSON.stringify(valid), { headers: rawHeaders });
    await waitFor(() => recorder.events.length === 1);
    expect(recorder.events[0]).toEqual(valid);
    expect(b.stats().undecodable).toBe(3);
  });

  it("refuses, before any delivery, an event the server would reject or JSON cannot carry", async () => {
    const bus = await newBus();
    const ns = scope()("big");
    const local = record(bus, ns);
    const maxPayload = bus.connection.info!.max_payload;
    expect(() => bus.publish(ns, makeEvent({ data: "x".repeat(maxPayload) }))).toThrow(
      expect.objectContaining({ code: AetherErrorCode.PayloadTooLarge }),
    );
    expect(() => bus.publish(ns, makeEvent({ data: 1n }))).toThrow(
      expect.objectContaining({ code: AetherErrorCode.InvalidEvent }),
    );
    await settle(bus);
    expect(local.events).toEqual([]);
    expect(bus.stats().sent).toBe(0);
  });

  it("refuses with INVALID_EVENT, before any delivery, what the stores refuse (the kernel's JSON rule and envelope)", async () => {
    const [bus, remote] = [await newBus(), await newBus()];
    const ns = scope()("invalid");
    const local = record(bus, ns);
    const atRemote = record(remote, ns);
    await settle(bus, remote);
    const refused: [Event, RegExp][] = [
      [makeEvent({ data: () => 1 }), /data: is a function/],
      [makeEvent({ data: Symbol("s") }), /data: is a symbol/],
      [makeEvent({ data: { toJSON: () => undefined } }), /data: has a toJSON/],
      [makeEvent({ data: { amount: Number.NaN } }), /data\.amount: is NaN/],
      [makeEvent({ version: 0 }), /version: must be >= 1/],
      [{ ...makeEvent(), timestamp: undefined } as unknown as Event, /timestamp/],
      [makeEvent({ data: JSON.parse('{"__proto__":{"x":1}}') as unknown }), /__proto__/],
    ];
    for (const [event, message] of refused) {
      let error: unknown;
      try {
        bus.publish(ns, event);
      } catch (caught) {
        error = caught;
      }
      expect(error, String(message)).toMatchObject({ code: AetherErrorCode.InvalidEvent });
      expect((error as Error).message).toMatch(message);
    }
    const valid = makeEvent();
    bus.publish(ns, valid);
    await waitFor(() => atRemote.events.length === 1);
    await settle(bus, remote);
    expect([local.ids(), atRemote.ids()]).toEqual([[valid.id], [valid.id]]);
    expect(bus.stats().sent).toBe(1);
    expect(remote.stats().undecodable).toBe(0);
  });

  it("delivers its own events exactly once even when others send messages carrying its node id", async () => {
    const a = await newBus("target");
    const ns = scope()("forged");
    const atA = record(a, ns);
    const spyConnection = await nats.connect();
    const forger = await nats.connect();
    // The forger replays the exact headers of the target's own messages, and also sends the bare
    // node id header, on messages of its own.
    const seenHeaders: NonNullable<ReturnType<typeof headers>>[] = [];
    spyConnection.subscribe(`aether.bus.${ns}`, {
      callback: (_error, message) => {
        if (message.headers?.get(NODE_ID_HEADER) === "target") seenHeaders.push(message.headers);
      },
    });
    await spyConnection.flush();
    await settle(a);
    const own: string[] = [];
    const forged: string[] = [];
    const bare = headers();
    bare.set(NODE_ID_HEADER, "target");
    for (let i = 0; i < 600; i++) {
      const event = makeEvent();
      own.push(event.id);
      a.publish(ns, event);
      const copy = makeEvent();
      forged.push(copy.id);
      forger.publish(`aether.bus.${ns}`, JSON.stringify(copy), {
        headers: seenHeaders.at(-1) ?? bare,
      });
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    await forger.flush();
    await waitFor(() => atA.events.length >= own.length + forged.length);
    await settle(a);
    await forger.flush();
    await settle(a);
    const count = (id: string) => atA.events.filter((event) => event.id === id).length;
    expect(own.filter((id) => count(id) !== 1)).toEqual([]);
    expect(forged.filter((id) => count(id) !== 1)).toEqual([]);
  });

  it("reports remote deliveries as EventPublished with the source node", async () => {
    const [a, b] = [await newBus("src-node"), await newBus("dst-node")];
    const ns = scope()("facts");
    const facts = record(b, DOMAIN_EVENTS_NAMESPACE, { eventTypes: ["EventPublished"] });
    record(b, ns);
    await settle(a, b);
    const event = makeEvent();
    a.publish(ns, event);
    await waitFor(() => facts.events.length === 1);
    expect(facts.events[0]!.data).toMatchObject({
      type: "EventPublished",
      namespace: ns,
      eventId: event.id,
      sourceNodeId: "src-node",
    });
  });

  it("close ends local subscriptions and stops listening, but leaves the connection open", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope()("closing");
    const subscription = b.subscribe(ns);
    const loop = (async () => {
      const seen: Event[] = [];
      for await (const event of subscription) seen.push(event);
      return seen;
    })();
    await settle(a, b);
    await b.close();
    await b.close();
    expect(await loop).toEqual([]);
    expect(b.connection.isClosed()).toBe(false);
    a.publish(ns, makeEvent());
    await settle(a);
    expect(() => b.publish(ns, makeEvent())).toThrow(
      expect.objectContaining({ code: AetherErrorCode.Closed }),
    );
  });

  it("keeps delivering locally after its connection is closed, and counts what it could not send", async () => {
    const nc = await nats.connect();
    const bus = new NatsEventBus(nc, { nodeId: "orphan" });
    buses.push(bus);
    const ns = scope()("orphaned");
    const local = record(bus, ns);
    await nc.close();
    const event = makeEvent();
    bus.publish(ns, event);
    await new Promise((resolve) => setImmediate(resolve));
    expect(local.events).toEqual([event]);
    expect(bus.stats()).toMatchObject({ connected: false, sent: 0, unsent: 1 });
    await expect(bus.flush()).rejects.toMatchObject({ code: AetherErrorCode.Unavailable });
  });

  it("takes the node id in options, generates one when absent, and checks it", async () => {
    const nc = await nats.connect();
    const named = new NatsEventBus(nc, { nodeId: "node-x", bufferSize: 8 });
    const generated = new NatsEventBus(nc);
    buses.push(named, generated);
    expect(named.nodeId).toBe("node-x");
    expect(generated.nodeId).toMatch(/^[0-9a-f-]{36}$/);
    for (const nodeId of ["", "has space", "line\nbreak"]) {
      expect(() => new NatsEventBus(nc, { nodeId })).toThrow(
        expect.objectContaining({ code: AetherErrorCode.InvalidArgument }),
      );
    }
  });

  it("checks maxBufferedBytesWhileDisconnected, naming it", async () => {
    const nc = await nats.connect();
    for (const maxBufferedBytesWhileDisconnected of [-1, 1.5, Number.NaN]) {
      expect(() => new NatsEventBus(nc, { maxBufferedBytesWhileDisconnected })).toThrow(
        expect.objectContaining({
          code: AetherErrorCode.InvalidArgument,
          message: expect.stringMatching(/^maxBufferedBytesWhileDisconnected must be an integer/),
        }),
      );
    }
  });

  it("on a noEcho connection, delivers its own events once and others' as usual", async () => {
    const nc = await nats.connect({ noEcho: true });
    const quiet = new NatsEventBus(nc, { nodeId: "no-echo" });
    buses.push(quiet);
    const other = await newBus();
    const ns = scope()("quiet");
    const atQuiet = record(quiet, ns);
    const atOther = record(other, ns);
    await settle(quiet, other);
    const [mine, theirs] = [makeEvent(), makeEvent()];
    quiet.publish(ns, mine);
    other.publish(ns, theirs);
    await waitFor(() => atQuiet.events.length >= 2 && atOther.events.length >= 2);
    await settle(quiet, other);
    expect(atQuiet.ids().sort()).toEqual([mine.id, theirs.id].sort());
    expect(atOther.ids().sort()).toEqual([mine.id, theirs.id].sort());
  });

  it("a node that publishes while events stream in from others delivers each exactly once", async () => {
    const [a, b] = [await newBus(), await newBus()];
    const ns = scope()("busy-both");
    const atA = record(a, ns);
    const atB = record(b, ns);
    await settle(a, b);
    const published: string[] = [];
    for (let i = 0; i < 300; i++) {
      const bus = i % 3 === 0 ? a : b;
      const event = makeEvent();
      published.push(event.id);
      bus.publish(ns, event);
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => atA.events.length >= 300 && atB.events.length >= 300);
    await settle(a, b);
    expect(atA.ids().sort()).toEqual([...published].sort());
    expect(atB.ids().sort()).toEqual([...published].sort());
  });

  it("two buses on one connection still deliver to each other", async () => {
    const nc = await nats.connect();
    const a = new NatsEventBus(nc, { nodeId: "shared-a" });
    const b = new NatsEventBus(nc, { nodeId: "shared-b" });
    buses.push(a, b);
    const ns = scope()("shared");
    const atA = record(a, ns);
    const atB = record(b, ns);
    await settle(a);
    const event = makeEvent();
    a.publish(ns, event);
    await waitFor(() => atB.events.length === 1);
    await settle(a);
    expect([atA.ids(), atB.ids()]).toEqual([[event.id], [event.id]]);
  });
});
