/** The current leader as a node sees it: its id and the fencing term of its lease. */
export interface LeaderInfo {
  readonly nodeId: string;
  /** The lease key's revision at takeover; it only grows from one leader to the next. */
  readonly term: number;
}

/** How a node sees a member: `unreachable` once it heard nothing from it for the failure timeout. */
export type MemberStatus = "up" | "leaving" | "unreachable";

export interface ClusterMember {
  readonly nodeId: string;
  readonly status: MemberStatus;
  /** Shards the current map gives this member. */
  readonly shards: readonly number[];
  readonly isLeader: boolean;
  /** The store's time of the member's last heartbeat (ISO-8601). */
  readonly lastSeen: string;
}

/** One node's view of the cluster. */
export interface ClusterTopology {
  /** The node this view was taken on. */
  readonly nodeId: string;
  readonly leader: LeaderInfo | undefined;
  readonly mapVersion: number;
  readonly shardCount: number;
  readonly nodes: readonly ClusterMember[];
}
