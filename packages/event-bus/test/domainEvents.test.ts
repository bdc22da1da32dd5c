import type { EventBus } from "@aether/event-bus";
import { DOMAIN_EVENTS_NAMESPACE } from "@aether/event-bus";
import {
  AetherErrorCode,
  guardPublisher,
  ManualClock,
  type DomainEvent,
  type DomainEventPublisher,
  type Event,
} from "@aether/kernel";
import { describe, expect, it } from "vitest";
import { closedAfterEachTest } from "./fixtures/localBuses.js";
import { makeEvent, takeBuffered } from "./fixtures/events.js";
import { captureLogs } from "@aether/test-support";

const newBus = closedAfterEachTest();

function pending(bus: EventBus, id: string): number {
  return bus.getSubscriptions().find((info) => info.id === id)?.pending ?? 0;
}

const at = "2026-01-01T00:00:00.000Z";

describe("event-bus: domain events", () => {
  it("reports SubscriptionCreated and EventPublished in the reserved namespace", async () => {
    const clock = new ManualClock(Date.parse(at));
    const bus = newBus({ nodeId: "node-1", clock });
    const domain = bus.subscribe(DOMAIN_EVENTS_NAMESPACE);
    const orders = bus.subscribe("tenant-a.*", { eventTypes: ["Opened"], actorId: "a1" });
    const event = makeEvent({ eventType: "Opened" });
    bus.publish("tenant-a.orders", event);

    const facts = await takeBuffered(domain, pending(bus, domain.id));
    expect(facts.map((fact) => fact.data)).toEqual([
      {
        type: "SubscriptionCreated",
        at,
        subscriptionId: domain.id,
        pattern: DOMAIN_EVENTS_NAMESPACE,
        filter: {},
      },
      {
        type: "SubscriptionCreated",
        at,
        subscriptionId: orders.id,
        pattern: "tenant-a.*",
        filter: { eventTypes: ["Opened"], actorId: "a1" },
      },
      {
        type: "EventPublished",
        at,
        namespace: "tenant-a.orders",
        eventId: event.id,
        eventType: "Opened",
        sourceNodeId: "node-1",
      },
    ]);
    expect(
      facts.map(({ eventType, actorId, version, timestamp }) => ({
        eventType,
        actorId,
        version,
        timestamp,
      })),
    ).toEqual([
      { eventType: "SubscriptionCreated", actorId: "node-1", version: 1, timestamp: at },
      { eventType: "SubscriptionCreated", actorId: "node-1", version: 2, timestamp: at },
      { eventType: "EventPublished", actorId: "node-1", version: 3, timestamp: at },
    ]);
  });

  it("reports each publish once and never reports its own domain events", async () => {
    const bus = newBus();
    const domain = bus.subscribe(DOMAIN_EVENTS_NAMESPACE, { eventTypes: ["EventPublished"] });
    for (let i = 0; i < 5; i++) bus.publish("t", makeEvent());
    bus.publishDomainEvent({ type: "NodeJoined", at, nodeId: "n2" });
    expect(pending(bus, domain.id)).toBe(5);
    const facts = await takeBuffered(domain, 5);
    expect(new Set(facts.map((fact) => (fact.data as { namespace: string }).namespace))).toEqual(
      new Set(["t"]),
    );
  });

  it("is the DomainEventPublisher stores publish through", async () => {
    const bus = newBus({ nodeId: "n1" });
    const publisher: DomainEventPublisher = guardPublisher(
      bus,
      captureLogs({ level: "warn" }).logger,
    );
    const stored = bus.subscribe(DOMAIN_EVENTS_NAMESPACE, { eventTypes: ["EventStored"] });
    const fact: DomainEvent = {
      type: "EventStored",
      at,
      namespace: "tenant-a",
      actorId: "acct-1",
      eventId: "e1",
      eventType: "Opened",
      version: 1,
    };
    publisher.publishDomainEvent(fact);
    publisher.publishDomainEvent({ type: "NodeLeft", at, nodeId: "n9" });
    const [received] = await takeBuffered(stored, 1);
    expect(received).toMatchObject({ eventType: "EventStored", actorId: "n1", data: fact });
    expect(pending(bus, stored.id)).toBe(0);
  });

  it("keeps domain events away from wildcard subscribers", () => {
    const bus = newBus();
    const everything = bus.subscribe(">");
    const oneToken = bus.subscribe("*");
    bus.subscribe(DOMAIN_EVENTS_NAMESPACE);
    bus.publishDomainEvent({ type: "NodeJoined", at, nodeId: "n2" });
    bus.publish("t", makeEvent());
    expect([pending(bus, everything.id), pending(bus, oneToken.id)]).toEqual([1, 1]);
  });

  it("refuses user events in the reserved namespace", () => {
    const bus = newBus();
    for (const namespace of [DOMAIN_EVENTS_NAMESPACE, `${DOMAIN_EVENTS_NAMESPACE}.x`]) {
      expect(() => bus.publish(namespace, makeEvent())).toThrow(
        expect.objectContaining({ code: AetherErrorCode.InvalidNamespace }),
      );
    }
    // Only the reserved token is refused, not namespaces that merely start with it.
    expect(() => bus.publish(`${DOMAIN_EVENTS_NAMESPACE}x`, makeEvent())).not.toThrow();
  });

  it("delivers domain events to callback subscribers", async () => {
    const bus = newBus();
    const types: string[] = [];
    const received = new Promise<Event>((resolve) => {
      bus.subscribe(DOMAIN_EVENTS_NAMESPACE, {
        eventTypes: ["LeaderElected"],
        onEvent: (event) => {
          types.push(event.eventType);
          resolve(event);
        },
      });
    });
    bus.publishDomainEvent({ type: "LeaderElected", at, nodeId: "n1", term: 3 });
    expect((await received).data).toEqual({ type: "LeaderElected", at, nodeId: "n1", term: 3 });
    expect(types).toEqual(["LeaderElected"]);
  });
});
