/** A nats-server version as [major, minor, patch]; pre-release tags are ignored. */
export type ServerVersion = readonly [number, number, number];

/** The version a server announces (`nc.info?.version`), or undefined when it is not one. */
export function parseServerVersion(version: string | undefined): ServerVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? "");
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** True when `version` is older than `other`. */
export function isServerVersionBefore(version: ServerVersion, other: ServerVersion): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i]! !== other[i]!) return version[i]! < other[i]!;
  }
  return false;
}

/** nats-server#4320 (fixed in 2.9.21): a replicated stream may accept two appends expecting one last subject sequence. */
export const EXPECTED_SEQUENCE_RACE_FIXED: ServerVersion = [2, 9, 21];
/** nats-server 2.10 added `sync_interval: always` (fsync before every ack). */
export const FSYNC_PER_ACK: ServerVersion = [2, 10, 0];
