import { z } from "zod";

/** `config`: written once by the first node; every later node must agree. */
export const configRecord = z.object({ shardCount: z.number().int().min(1) });
export type ConfigRecord = z.infer<typeof configRecord>;

/** `members.<id>`: a node's membership lease, renewed by compare-and-set. */
export const memberRecord = z.object({
  nodeId: z.string().min(1),
  /** A fresh id per start, so a restarted node is told apart from its former self. */
  incarnation: z.string().min(1),
  /** Shards the node serves or is about to serve (hex bitmap); a superset of what it serves. */
  claims: z.string(),
  leaving: z.boolean(),
  startedAt: z.string(),
});
export type MemberRecord = z.infer<typeof memberRecord>;

/** `leader`: the lease; its revision at takeover is the term. */
export const leaderRecord = z.object({
  nodeId: z.string().min(1),
  incarnation: z.string().min(1),
  /** The takeover's revision; absent on the takeover write itself (its own revision is the term). */
  term: z.number().int().min(1).optional(),
});
export type LeaderRecord = z.infer<typeof leaderRecord>;

/** `map`: the shard map, written only by the leader. */
export const shardMapRecord = z.object({
  version: z.number().int().min(0),
  term: z.number().int().min(0),
  shards: z.array(z.string().nullable()),
  /** For a shard without an owner: who had it last, so the next assignment reports the move. */
  from: z.array(z.string().nullable()),
  /** The members this map was computed from: joins and departures are reported against it. */
  members: z.array(z.string()),
});
export type ShardMapRecord = z.infer<typeof shardMapRecord>;

export function emptyShardMap(shardCount: number): ShardMapRecord {
  const none = Array.from({ length: shardCount }, () => null);
  return { version: 0, term: 0, shards: none, from: [...none], members: [] };
}

/** Parses a stored record, or undefined for a malformed one (logged by the caller). */
export function parseRecord<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
