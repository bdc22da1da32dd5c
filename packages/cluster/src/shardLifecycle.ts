/** Why a node stops serving a shard. */
export type ShardStopReason =
  /** The leader's new map gives the shard to another node (a join, a rebalance). */
  | "moved"
  /** This node is leaving gracefully and hands the shard over. */
  | "leaving"
  /** This node could not renew its own membership lease in time, so it fenced itself off. */
  | "lease-lapsed"
  /** The node was closed without a handover. */
  | "closed";

/**
 * What runs on top of shard ownership (the actor host) hears about it here. The node calls
 * `shardStarted` only once it may serve the shard, and releases a shard only after `shardStopping`
 * has resolved (bounded by the node's drain timeout), so the next owner never starts while this
 * one still has work in flight for it.
 */
export interface ShardLifecycleListener {
  /** This node now serves `shardId`. */
  shardStarted?(shardId: number): void | Promise<void>;
  /** This node is about to stop serving `shardId`: finish or refuse in-flight work, drop caches. */
  shardStopping?(shardId: number, reason: ShardStopReason): void | Promise<void>;
}
