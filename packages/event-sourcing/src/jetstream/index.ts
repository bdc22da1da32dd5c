export { JetStreamEventStore, createJetStreamEventStore } from "./jetStreamEventStore.js";
export { JetStreamSnapshotStore, createJetStreamSnapshotStore } from "./jetStreamSnapshotStore.js";

export type { JetStreamEventStoreOptions } from "./jetStreamEventStore.js";
export type { JetStreamSnapshotStoreOptions } from "./jetStreamSnapshotStore.js";
