import {
  domainEventSchema,
  domainEventSchemas,
  domainEventTypes,
  type DomainEvent,
  type DomainEventOf,
  type DomainEventType,
} from "@aether/kernel";
import { describe, expect, it } from "vitest";

const at = "2024-05-01T12:00:00.000Z";

// Typed as a complete map: adding a domain event to the catalog without a sample here fails typecheck.
const samples: { [T in DomainEventType]: DomainEventOf<T> } = {
  EventStored: {
    type: "EventStored",
    at,
    namespace: "tenant-1",
    actorId: "acc-1",
    eventId: "e-1",
    eventType: "AccountOpened",
    version: 1,
  },
  VersionConflict: {
    type: "VersionConflict",
    at,
    namespace: "tenant-1",
    actorId: "acc-1",
    attemptedVersion: 2,
    currentVersion: 2,
  },
  SnapshotCreated: {
    type: "SnapshotCreated",
    at,
    namespace: "tenant-1",
    actorId: "acc-1",
    version: 10,
  },
  SubscriptionCreated: {
    type: "SubscriptionCreated",
    at,
    subscriptionId: "sub-1",
    pattern: "tenant-1.>",
    filter: { eventTypes: ["AccountOpened"], actorId: "acc-1" },
  },
  EventPublished: {
    type: "EventPublished",
    at,
    namespace: "tenant-1",
    eventId: "e-1",
    eventType: "AccountOpened",
    sourceNodeId: "node-a",
  },
  NodeJoined: { type: "NodeJoined", at, nodeId: "node-a" },
  NodeLeft: { type: "NodeLeft", at, nodeId: "node-a" },
  NodeFailed: { type: "NodeFailed", at, nodeId: "node-a", lastSeen: "2024-05-01T11:59:55.000Z" },
  LeaderElected: { type: "LeaderElected", at, nodeId: "node-a", term: 1 },
  LeadershipLost: {
    type: "LeadershipLost",
    at,
    nodeId: "node-a",
    term: 1,
    reason: "lease expired",
  },
  ShardAssigned: { type: "ShardAssigned", at, shardId: 0, nodeId: "node-a", mapVersion: 1 },
  ShardMigrated: {
    type: "ShardMigrated",
    at,
    shardId: 63,
    fromNodeId: "node-a",
    toNodeId: "node-b",
    mapVersion: 2,
  },
};

// The fields ARCHITECTURE.md §2 names for each event (besides `type` and `at`).
const contractFields: Record<DomainEventType, string[]> = {
  EventStored: ["namespace", "actorId", "eventId", "eventType", "version"],
  VersionConflict: ["namespace", "actorId", "attemptedVersion", "currentVersion"],
  SnapshotCreated: ["namespace", "actorId", "version"],
  SubscriptionCreated: ["subscriptionId", "pattern", "filter"],
  EventPublished: ["namespace", "eventId", "eventType", "sourceNodeId"],
  NodeJoined: ["nodeId"],
  NodeLeft: ["nodeId"],
  NodeFailed: ["nodeId", "lastSeen"],
  LeaderElected: ["nodeId", "term"],
  LeadershipLost: ["nodeId", "term", "reason"],
  ShardAssigned: ["shardId", "nodeId", "mapVersion"],
  ShardMigrated: ["shardId", "fromNodeId", "toNodeId", "mapVersion"],
};

describe("kernel: domain-event catalog", () => {
  it("kernel: lists the twelve events of the architecture, in catalog order", () => {
    expect(domainEventTypes).toEqual(Object.keys(contractFields));
    expect(Object.keys(domainEventSchemas)).toEqual(domainEventTypes);
  });

  it.each(domainEventTypes)("kernel: %s has exactly type, at and the contract fields", (type) => {
    const shape = Object.keys(domainEventSchemas[type].shape).sort();
    expect(shape).toEqual(["type", "at", ...contractFields[type]].sort());
  });

  it.each(domainEventTypes)("kernel: a valid %s parses with domainEventSchema", (type) => {
    const sample: DomainEvent = samples[type];
    expect(domainEventSchema.parse(sample)).toEqual(sample);
    expect(domainEventSchemas[type].parse(sample)).toEqual(sample);
  });

  it.each(domainEventTypes)("kernel: a %s without `at` or with a bad `at` fails", (type) => {
    const { at: _at, ...withoutAt } = samples[type];
    expect(domainEventSchema.safeParse(withoutAt).success).toBe(false);
    expect(domainEventSchema.safeParse({ ...samples[type], at: "noon" }).success).toBe(false);
  });

  it.each(domainEventTypes)("kernel: a %s missing each required field fails", (type) => {
    const optional = new Set(["sourceNodeId"]);
    for (const field of contractFields[type].filter((f) => !optional.has(f))) {
      const broken: Record<string, unknown> = { ...samples[type] };
      delete broken[field];
      const result = domainEventSchema.safeParse(broken);
      expect(result.success, `${type} without ${field}`).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual([field]);
    }
  });

  it("kernel: an unknown type or a mislabelled event fails", () => {
    expect(domainEventSchema.safeParse({ type: "NodeExploded", at, nodeId: "n" }).success).toBe(
      false,
    );
    // NodeJoined's fields under the EventStored label.
    expect(
      domainEventSchema.safeParse({ ...samples.NodeJoined, type: "EventStored" }).success,
    ).toBe(false);
  });

  it("kernel: rejects wrong values in the numeric and id fields", () => {
    const wrong: DomainEvent[] = [
      { ...samples.EventStored, version: 0 },
      { ...samples.EventStored, actorId: "" },
      { ...samples.VersionConflict, currentVersion: -1 },
      { ...samples.LeaderElected, term: 0 },
      { ...samples.ShardAssigned, shardId: -1 },
      { ...samples.ShardAssigned, mapVersion: 1.5 },
      { ...samples.NodeFailed, lastSeen: "a while ago" },
      { ...samples.EventPublished, namespace: "" },
      { ...samples.LeadershipLost, reason: "" },
    ];
    for (const event of wrong) {
      expect(domainEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(false);
    }
  });

  it("kernel: optional fields may be left out", () => {
    const { sourceNodeId: _sourceNodeId, ...local } = samples.EventPublished;
    expect(domainEventSchema.safeParse(local).success).toBe(true);
    expect(
      domainEventSchema.safeParse({ ...samples.SubscriptionCreated, filter: {} }).success,
    ).toBe(true);
  });
});
