// FNV-1a, 32 bit: stable across processes and Node versions, and fast enough to run per command.
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard of an actor: the same on every node. */
export function shardOf(actorId: string, shardCount: number): number {
  return fnv1a(actorId) % shardCount;
}

/**
 * Rendezvous (highest-random-weight) hashing: each shard goes to the node with the highest weight
 * for it, so a node's departure moves only its own shards and a join takes about 1/N.
 */
export function assignShards(shardCount: number, nodeIds: readonly string[]): (string | null)[] {
  const shards: (string | null)[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    let best: string | null = null;
    let bestWeight = -1;
    for (const nodeId of nodeIds) {
      const weight = fnv1a(`${shard}/${nodeId}`);
      if (weight > bestWeight || (weight === bestWeight && best !== null && nodeId < best)) {
        best = nodeId;
        bestWeight = weight;
      }
    }
    shards.push(best);
  }
  return shards;
}
