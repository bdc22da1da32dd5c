import type { ShardLifecycleListener } from "./shardLifecycle.js";

/** Which node owns which shard, as one version of the leader's shard map. */
export interface ShardAssignments {
  /** The map's version; it only grows. 0 before the first map is written. */
  readonly version: number;
  /** `shards[shardId]` is the owning node's id, or undefined while the shard has no owner. */
  readonly shards: readonly (string | undefined)[];
}

/**
 * What the actor host needs from a cluster node: where an actor lives and whether this node may
 * serve it right now. `ClusterNode` implements it; so can a test's single-node stand-in.
 */
export interface ShardOwnership {
  readonly nodeId: string;
  readonly shardCount: number;
  /** The shard of an actor: a stable hash of its id, the same on every node. */
  shardFor(actorId: string): number;
  /** True only while the current map gives this node the shard and its own lease is valid now. */
  ownsShard(shardId: number): boolean;
  /** The node the current map gives the actor's shard to, or undefined while it has none. */
  ownerOf(actorId: string): string | undefined;
  getShardAssignments(): ShardAssignments;
  /**
   * Hears shard starts and stops; `shardStarted` is called at once for the shards served now.
   * Returns a function that removes the listener.
   */
  addShardListener(listener: ShardLifecycleListener): () => void;
}
