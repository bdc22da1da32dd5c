export { JetStreamEventStore, createJetStreamEventStore } from "./jetStreamEventStore.js";
export { JetStreamSnapshotStore, createJetStreamSnapshotStore } from "./jetStreamSnapshotStore.js";
export { KvCheckpointStore } from "./kvCheckpointStore.js";
export { KvProjectionLease } from "./kvProjectionLease.js";

export type { JetStreamEventStoreOptions } from "./jetStreamEventStore.js";
export type { JetStreamSnapshotStoreOptions } from "./jetStreamSnapshotStore.js";
export type { KvProjectionOptions } from "./kvCheckpointStore.js";
export type { KvProjectionLeaseOptions } from "./kvProjectionLease.js";
