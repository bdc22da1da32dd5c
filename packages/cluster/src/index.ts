export type { ShardLifecycleListener, ShardStopReason } from "./shardLifecycle.js";
export type { ShardAssignments, ShardOwnership } from "./shardOwnership.js";
