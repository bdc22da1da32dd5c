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
export { ActorHost } from "./actorHost.js";
export { ActorHostError, ActorHostErrorCode, actorHostErrorCodes } from "./actorHostError.js";
export { InProcessTransport } from "./inProcessTransport.js";

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
export type {
  ActorHostOptions,
  ActorHostStats,
  ActorRegistration,
  SendOptions,
  SendResult,
} from "./actorHost.js";
export type { ActorHostErrorOptions } from "./actorHostError.js";
export type {
  ActorTransport,
  ShardEndpoint,
  ShardRequestHandler,
  TransportReply,
} from "./actorTransport.js";
export type { InProcessTransportOptions } from "./inProcessTransport.js";
export type { ShardLifecycleListener, ShardStopReason } from "./shardLifecycle.js";
export type { ShardAssignments, ShardOwnership } from "./shardOwnership.js";
