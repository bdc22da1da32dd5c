export { InMemoryEventStore, createInMemoryEventStore } from "./inMemoryEventStore.js";
export { InMemorySnapshotStore, createInMemorySnapshotStore } from "./inMemorySnapshotStore.js";
export { ForwardingEventStore } from "./forwardingEventStore.js";
export { defineActor } from "./actor.js";
export { ActorRepository } from "./actorRepository.js";
export { EventSourcingError, eventSourcingErrorCodes } from "./eventSourcingError.js";
export { DEFAULT_SNAPSHOT_INTERVAL, neverSnapshot, snapshotEvery } from "./snapshotPolicy.js";
export { InMemoryCheckpointStore } from "./projections/inMemoryCheckpointStore.js";
export { ProjectionRunner, startProjection } from "./projections/projectionRunner.js";
export { ProjectionError, projectionErrorCodes } from "./projections/projectionError.js";
export { soleRunner } from "./projections/projectionLease.js";
// The error every store throws, re-exported so store users need not import @aether/occ for it.
export { VersionConflictError, isVersionConflict } from "@aether/occ";

export type {
  AllEventsPage,
  CatchUpItem,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "./allEvents.js";
export type {
  EventStore,
  ReadEventsOptions,
  ReplayError,
  ReplayResult,
  SnapshotStore,
} from "./eventStore.js";
export type { Actor, EventDraft, StoredEvent } from "./actor.js";
export type {
  ActorRepositoryOptions,
  HandleOptions,
  HandleResult,
  LoadedActor,
} from "./actorRepository.js";
export type { SnapshotPolicy } from "./snapshotPolicy.js";
export type { SnapshotCodec } from "./snapshotCodec.js";
export type { EventSourcingErrorCode } from "./eventSourcingError.js";
export type { InMemoryEventStoreOptions } from "./inMemoryEventStore.js";
export type { InMemorySnapshotStoreOptions } from "./inMemorySnapshotStore.js";
export type { CheckpointMove, CheckpointStore } from "./projections/checkpointStore.js";
export type { Projection, ProjectionTx } from "./projections/projection.js";
export type { ProjectionErrorCode } from "./projections/projectionError.js";
export type { ProjectionLease } from "./projections/projectionLease.js";
export type { ProjectionRunnerOptions, ProjectionStatus } from "./projections/projectionRunner.js";
