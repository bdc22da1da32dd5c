import { AetherError } from "@aether/kernel";

/**
 * How often a node speaks and how long others wait for it. Every node of a cluster should use the
 * same values. Safety assumes only that every node's monotonic clock runs within ±ρ of real time,
 * with ρ < `marginMs / (2 × ttl − marginMs)` for both TTLs (9% with the defaults); see the README
 * for the arithmetic.
 */
export interface ClusterTiming {
  /** Each node renews its membership (and the leader its lease) this often. @default 1000 */
  heartbeatMs: number;
  /** A node whose membership has not changed for this long is declared failed. @default 3000 */
  failureTimeoutMs: number;
  /** A leader lease un-renewed for this long may be taken over. @default 2500 */
  leaseTtlMs: number;
  /** A holder stops acting this much before others may take over. @default 500 */
  marginMs: number;
  /** How long a shard's `shardStopping` may take before the node releases it anyway. @default 5000 */
  drainTimeoutMs: number;
}

export const defaultClusterTiming: Readonly<ClusterTiming> = Object.freeze({
  heartbeatMs: 1000,
  failureTimeoutMs: 3000,
  leaseTtlMs: 2500,
  marginMs: 500,
  drainTimeoutMs: 5000,
});

/** Defaults filled in, then the rules that keep the leases safe and live checked. */
export function resolveTiming(timing: Partial<ClusterTiming> = {}): ClusterTiming {
  const resolved: ClusterTiming = { ...defaultClusterTiming };
  for (const [name, value] of Object.entries(timing)) {
    if (value === undefined) continue;
    if (!(name in defaultClusterTiming)) {
      throw new AetherError("INVALID_ARGUMENT", `timing.${name} is not a timing option`);
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        `timing.${name} must be a positive number of milliseconds, got ${String(value)}`,
      );
    }
    resolved[name as keyof ClusterTiming] = value;
  }
  const { heartbeatMs, failureTimeoutMs, leaseTtlMs, marginMs } = resolved;
  // A holder must be able to miss one renewal and still hold on, or every slow call deposes it.
  for (const [name, ttl] of [
    ["leaseTtlMs", leaseTtlMs],
    ["failureTimeoutMs", failureTimeoutMs],
  ] as const) {
    if (ttl - marginMs < 2 * heartbeatMs) {
      throw new AetherError(
        "INVALID_ARGUMENT",
        `timing.${name} (${ttl}) must be at least 2 × heartbeatMs (${heartbeatMs}) + marginMs (${marginMs})`,
      );
    }
  }
  return resolved;
}
