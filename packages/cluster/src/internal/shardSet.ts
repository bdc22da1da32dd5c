/** A set of shard ids as a hex bitmap: 1,024 shards take 256 characters in a member entry. */
export function encodeShardSet(shards: Iterable<number>, shardCount: number): string {
  const bytes = new Uint8Array(Math.ceil(shardCount / 8));
  for (const shard of shards) bytes[shard >> 3]! |= 1 << (shard & 7);
  return Buffer.from(bytes).toString("hex");
}

export function decodeShardSet(hex: string): Set<number> {
  const result = new Set<number>();
  const bytes = Buffer.from(hex, "hex");
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) result.add(index * 8 + bit);
  }
  return result;
}
