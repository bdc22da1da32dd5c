import {
  DomainEventRecorder,
  createLogger,
  guardPublisher,
  silentDomainEventPublisher,
  type DomainEvent,
  type DomainEventPublisher,
} from "@aether/kernel";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { captureLogs } from "@aether/test-support";

const at = "2024-05-01T12:00:00.000Z";
const joined: DomainEvent = { type: "NodeJoined", at, nodeId: "node-a" };
const left: DomainEvent = { type: "NodeLeft", at, nodeId: "node-a" };
const stored: DomainEvent = {
  type: "EventStored",
  at,
  namespace: "t",
  actorId: "a",
  eventId: "e",
  eventType: "X",
  version: 1,
};

describe("kernel: DomainEventRecorder", () => {
  it("kernel: keeps every event in order", () => {
    const recorder = new DomainEventRecorder();
    recorder.publishDomainEvent(joined);
    recorder.publishDomainEvent(stored);
    recorder.publishDomainEvent(left);
    expect(recorder.events).toEqual([joined, stored, left]);
  });

  it("kernel: ofType returns only that type, in order, typed", () => {
    const recorder = new DomainEventRecorder();
    const second: DomainEvent = { ...joined, nodeId: "node-b" };
    for (const event of [joined, stored, second, left]) recorder.publishDomainEvent(event);
    const nodes = recorder.ofType("NodeJoined");
    expect(nodes).toEqual([joined, second]);
    expect(nodes.map((event) => event.nodeId)).toEqual(["node-a", "node-b"]);
    expect(recorder.ofType("EventStored")[0]?.version).toBe(1);
    expect(recorder.ofType("ShardMigrated")).toEqual([]);
  });

  it("kernel: clear empties the recorder", () => {
    const recorder = new DomainEventRecorder();
    recorder.publishDomainEvent(joined);
    recorder.clear();
    expect(recorder.events).toEqual([]);
    recorder.publishDomainEvent(left);
    expect(recorder.events).toEqual([left]);
  });

  it("kernel: silentDomainEventPublisher accepts and drops", () => {
    expect(() => silentDomainEventPublisher.publishDomainEvent(joined)).not.toThrow();
  });
});

describe("kernel: guardPublisher", () => {
  const throwing: DomainEventPublisher = {
    publishDomainEvent() {
      throw new Error("listener exploded");
    },
  };

  it("kernel: logs a throwing publisher at error level instead of throwing", () => {
    const { destination, lines } = captureLogs();
    const logger = pino({ level: "info" }, destination);
    const guarded = guardPublisher(throwing, logger);
    expect(() => guarded.publishDomainEvent(stored)).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: "domain event publisher threw",
      domainEvent: "EventStored",
      err: { type: "Error", message: "listener exploded" },
    });
  });

  it("kernel: works with a createLogger logger writing to a destination", () => {
    const { destination, lines } = captureLogs();
    const logger = createLogger({ level: "error", destination, bindings: { component: "store" } });
    guardPublisher(throwing, logger).publishDomainEvent(joined);
    expect(lines[0]).toMatchObject({ component: "store", domainEvent: "NodeJoined" });
  });

  it("kernel: passes events through unchanged and logs nothing when the publisher is fine", () => {
    const { destination, lines } = captureLogs();
    const recorder = new DomainEventRecorder();
    const guarded = guardPublisher(recorder, pino({ level: "trace" }, destination));
    guarded.publishDomainEvent(joined);
    guarded.publishDomainEvent(left);
    expect(recorder.events).toEqual([joined, left]);
    expect(lines).toEqual([]);
  });

  it("kernel: also survives a publisher that throws a non-Error", () => {
    const { destination, lines } = captureLogs();
    const guarded = guardPublisher(
      {
        publishDomainEvent() {
          throw "just a string";
        },
      },
      pino({ level: "error" }, destination),
    );
    expect(() => guarded.publishDomainEvent(joined)).not.toThrow();
    expect(lines[0]).toMatchObject({ err: "just a string" });
  });
});
