export { ClusterNode } from "./clusterNode.js";
export {
  ClusterError,
  ClusterErrorCode,
  clusterErrorCodes,
  isCoordinationConflict,
} from "./clusterError.js";
export { InMemoryCoordination } from "./inMemoryCoordination.js";
export { defaultClusterTiming } from "./clusterTiming.js";
export { systemScheduler } from "./scheduler.js";

export type { ClusterNodeOptions } from "./clusterNode.js";
export type { ClusterErrorOptions } from "./clusterError.js";
export type { InMemoryCoordinationOptions } from "./inMemoryCoordination.js";
export type { ClusterTiming } from "./clusterTiming.js";
export type { Scheduler } from "./scheduler.js";
export type {
  Coordination,
  CoordinationChange,
  CoordinationEntry,
  CoordinationWatch,
  CoordinationWatchOptions,
  ReadOnlyCoordination,
} from "./coordination.js";
export type {
  ClusterMember,
  ClusterTopology,
  LeaderInfo,
  MemberStatus,
} from "./clusterTopology.js";
export type { ShardLifecycleListener, ShardStopReason } from "./shardLifecycle.js";
export type { ShardAssignments, ShardOwnership } from "./shardOwnership.js";
