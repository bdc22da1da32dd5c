export { describeEventStoreContract, hostileActorIds } from "./eventStoreContract.js";
export { describeSnapshotStoreContract } from "./snapshotStoreContract.js";

export type { EventStoreContext, EventStoreFactory } from "./eventStoreContract.js";
export type { SnapshotStoreFactory } from "./snapshotStoreContract.js";
