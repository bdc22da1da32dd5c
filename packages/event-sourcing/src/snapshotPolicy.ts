import { AetherError, AetherErrorCode } from "@aether/kernel";

/** Decides after each successful append whether to take a snapshot. */
export interface SnapshotPolicy {
  shouldSnapshot(change: { actorId: string; previousVersion: number; version: number }): boolean;
}

/** Snapshot whenever an append crosses a multiple of `n` (a batch may cross it mid-way). */
export function snapshotEvery(n: number): SnapshotPolicy {
  if (!Number.isInteger(n) || n < 1) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `snapshotEvery: n must be an integer >= 1, got ${n}`,
    );
  }
  return {
    shouldSnapshot: ({ previousVersion, version }) =>
      Math.floor(version / n) > Math.floor(previousVersion / n),
  };
}

export const neverSnapshot: SnapshotPolicy = { shouldSnapshot: () => false };

/** Used when a repository has a snapshot store and no explicit policy. */
export const DEFAULT_SNAPSHOT_INTERVAL = 100;
