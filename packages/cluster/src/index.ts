export { ActorHost } from "./actorHost.js";
export { ActorHostError, ActorHostErrorCode, actorHostErrorCodes } from "./actorHostError.js";
export { InProcessTransport } from "./inProcessTransport.js";

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
