/** The keys of one cluster in its coordination store (valid NATS KV keys whatever the node ids). */
export const CONFIG_KEY = "config";
export const LEADER_KEY = "leader";
export const MAP_KEY = "map";
export const MEMBER_PREFIX = "members.";

export function memberKey(nodeId: string): string {
  return MEMBER_PREFIX + Buffer.from(nodeId, "utf8").toString("base64url");
}
