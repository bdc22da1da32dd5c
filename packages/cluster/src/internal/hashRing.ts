import { stableHash32 } from "./stableHash.js";

/** Points per node on the ring; the tests measure the spread and the movement this count gives. */
export const VIRTUAL_NODES = 160;

/**
 * The consistent-hash ring: each node owns `VIRTUAL_NODES` points, and a shard belongs to the node
 * of the first point at or after the shard's own point (wrapping around). Adding a node moves only
 * the shards that now land on its points; removing one moves only its own.
 */
export function assignShards(
  nodeIds: readonly string[],
  shardCount: number,
): (string | undefined)[] {
  if (nodeIds.length === 0) return Array.from({ length: shardCount }, () => undefined);
  const points: { point: number; nodeId: string }[] = [];
  for (const nodeId of nodeIds) {
    for (const point of nodePoints(nodeId)) points.push({ point, nodeId });
  }
  points.sort(
    (a, b) => a.point - b.point || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0),
  );
  const result: (string | undefined)[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const point = shardPoint(shard);
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (points[middle]!.point < point) low = middle + 1;
      else high = middle;
    }
    result.push(points[low === points.length ? 0 : low]!.nodeId);
  }
  return result;
}

// Points depend only on the id, and leaders recompute the ring on every membership change.
const nodePointCache = new Map<string, number[]>();
const shardPointCache: number[] = [];
const NODE_POINT_CACHE_LIMIT = 4096;

function nodePoints(nodeId: string): number[] {
  let points = nodePointCache.get(nodeId);
  if (points === undefined) {
    points = Array.from({ length: VIRTUAL_NODES }, (_, v) => stableHash32(`node:${nodeId}#${v}`));
    if (nodePointCache.size >= NODE_POINT_CACHE_LIMIT) nodePointCache.clear();
    nodePointCache.set(nodeId, points);
  }
  return points;
}

function shardPoint(shard: number): number {
  return (shardPointCache[shard] ??= stableHash32(`shard:${shard}`));
}
