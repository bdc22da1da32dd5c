/** One node as the dashboard and `/api/cluster` show it. */
export interface NodeView {
  nodeId: string;
  /**
   * As the answering node sees it: `up`; `leaving` (handing its shards over); `unreachable` (no
   * heartbeat for the failure timeout, not yet declared failed); `failed` and `left` once gone.
   */
  status: "up" | "leaving" | "unreachable" | "failed" | "left";
  shardsOwned: number;
  /** Where this node's HTTP API listens, when known. */
  httpUrl?: string;
}

/** The cluster as one node sees it right now. */
export interface ClusterView {
  /** The node that answered. */
  nodeId: string;
  leader: { nodeId: string; term: number } | undefined;
  mapVersion: number;
  /** `shards[shardId]` is the owning node's id, or null while the shard has no owner. */
  shards: (string | null)[];
  nodes: NodeView[];
}
