import { assignShards } from "./hashRing.js";
import type { ShardMapRecord } from "./records.js";

export interface LiveMember {
  nodeId: string;
  leaving: boolean;
  /** Shards the member may be serving (its claims). */
  claims: ReadonlySet<number>;
}

export interface ShardMove {
  shardId: number;
  from: string | undefined;
  to: string;
}

export interface ShardMapPlan {
  shards: (string | null)[];
  from: (string | null)[];
  /** Shards that got an owner in this plan. */
  assigned: ShardMove[];
}

/**
 * The leader's next map. A shard whose owner is live but no longer the ring's choice is first
 * taken away (its owner drains and drops its claim); it goes to the new owner only once no live
 * member claims it. A shard whose owner is gone (failed after its lease lapsed, or left) goes to
 * the ring's choice at once.
 */
export function planShardMap(
  current: ShardMapRecord,
  live: readonly LiveMember[],
  shardCount: number,
): ShardMapPlan {
  const byId = new Map(live.map((member) => [member.nodeId, member]));
  const active = live
    .filter((member) => !member.leaving)
    .map((member) => member.nodeId)
    .sort();
  const target = ringAssignment(active, shardCount);
  const shards = [...current.shards];
  const from = [...current.from];
  const assigned: ShardMove[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const owner = shards[shard] ?? undefined;
    const wanted = target[shard];
    if (owner === wanted) continue;
    if (owner !== undefined && byId.has(owner)) {
      shards[shard] = null;
      from[shard] = owner;
      continue;
    }
    if (wanted === undefined) {
      if (owner !== undefined) from[shard] = owner;
      shards[shard] = null;
      continue;
    }
    const previous = owner ?? from[shard] ?? undefined;
    if (owner === undefined && live.some((member) => member.claims.has(shard))) continue;
    shards[shard] = wanted;
    from[shard] = null;
    assigned.push({ shardId: shard, from: previous, to: wanted });
  }
  return { shards, from, assigned };
}

let cachedKey = "";
let cachedAssignment: (string | undefined)[] = [];

// The ring is rebuilt only when the member set changes; leaders re-plan far more often than that.
function ringAssignment(nodeIds: readonly string[], shardCount: number): (string | undefined)[] {
  const key = `${shardCount}\u0000${nodeIds.join("\u0000")}`;
  if (key !== cachedKey) {
    cachedAssignment = assignShards(nodeIds, shardCount);
    cachedKey = key;
  }
  return cachedAssignment;
}
