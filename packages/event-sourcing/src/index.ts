export { InMemoryEventStore, createInMemoryEventStore } from "./inMemoryEventStore.js";
export { InMemorySnapshotStore, createInMemorySnapshotStore } from "./inMemorySnapshotStore.js";

export type {
  EventStore,
  ReadEventsOptions,
  ReplayError,
  ReplayResult,
  SnapshotStore,
} from "./eventStore.js";
export type { InMemoryEventStoreOptions } from "./inMemoryEventStore.js";
export type { InMemorySnapshotStoreOptions } from "./inMemorySnapshotStore.js";
