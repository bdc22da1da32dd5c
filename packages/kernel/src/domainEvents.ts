import { z } from "zod";

const at = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);
const mapVersion = z.number().int().min(0);

/**
 * Every fact Aether's own packages report, one zod schema each. A new domain event is added here,
 * with its schema, before any package publishes it.
 */
export const domainEventSchemas = {
  EventStored: z.object({
    type: z.literal("EventStored"),
    at,
    namespace: z.string(),
    actorId: nonEmpty,
    eventId: nonEmpty,
    eventType: nonEmpty,
    version: z.number().int().min(1),
  }),
  VersionConflict: z.object({
    type: z.literal("VersionConflict"),
    at,
    namespace: z.string(),
    actorId: nonEmpty,
    attemptedVersion: z.number().int(),
    currentVersion: z.number().int().min(0),
  }),
  SnapshotCreated: z.object({
    type: z.literal("SnapshotCreated"),
    at,
    namespace: z.string(),
    actorId: nonEmpty,
    version: z.number().int().min(0),
  }),
  SubscriptionCreated: z.object({
    type: z.literal("SubscriptionCreated"),
    at,
    subscriptionId: nonEmpty,
    pattern: nonEmpty,
    filter: z.object({
      eventTypes: z.array(z.string()).optional(),
      actorId: z.string().optional(),
    }),
  }),
  EventPublished: z.object({
    type: z.literal("EventPublished"),
    at,
    namespace: nonEmpty,
    eventId: nonEmpty,
    eventType: nonEmpty,
    sourceNodeId: z.string().optional(),
  }),
  NodeJoined: z.object({ type: z.literal("NodeJoined"), at, nodeId: nonEmpty }),
  NodeLeft: z.object({ type: z.literal("NodeLeft"), at, nodeId: nonEmpty }),
  NodeFailed: z.object({ type: z.literal("NodeFailed"), at, nodeId: nonEmpty, lastSeen: at }),
  LeaderElected: z.object({
    type: z.literal("LeaderElected"),
    at,
    nodeId: nonEmpty,
    term: z.number().int().min(1),
  }),
  LeadershipLost: z.object({
    type: z.literal("LeadershipLost"),
    at,
    nodeId: nonEmpty,
    term: z.number().int().min(1),
    reason: nonEmpty,
  }),
  ShardAssigned: z.object({
    type: z.literal("ShardAssigned"),
    at,
    shardId: z.number().int().min(0),
    nodeId: nonEmpty,
    mapVersion,
  }),
  ShardMigrated: z.object({
    type: z.literal("ShardMigrated"),
    at,
    shardId: z.number().int().min(0),
    fromNodeId: nonEmpty,
    toNodeId: nonEmpty,
    mapVersion,
  }),
} as const;

type Schemas = typeof domainEventSchemas;

/** The name of a domain event, e.g. `"EventStored"`. */
export type DomainEventType = keyof Schemas;

/** A domain event of one type. */
export type DomainEventOf<T extends DomainEventType> = z.infer<Schemas[T]>;

/** Any domain event: a discriminated union on `type`. */
export type DomainEvent = { [T in DomainEventType]: DomainEventOf<T> }[DomainEventType];

/** Validates any domain event, e.g. one received from another node. */
export const domainEventSchema = z.discriminatedUnion("type", [
  domainEventSchemas.EventStored,
  domainEventSchemas.VersionConflict,
  domainEventSchemas.SnapshotCreated,
  domainEventSchemas.SubscriptionCreated,
  domainEventSchemas.EventPublished,
  domainEventSchemas.NodeJoined,
  domainEventSchemas.NodeLeft,
  domainEventSchemas.NodeFailed,
  domainEventSchemas.LeaderElected,
  domainEventSchemas.LeadershipLost,
  domainEventSchemas.ShardAssigned,
  domainEventSchemas.ShardMigrated,
]);

/** Every domain event type, in catalog order. */
export const domainEventTypes = Object.keys(domainEventSchemas) as DomainEventType[];
