/**
 * Makes one runner per projection name active at a time across processes. The runner acquires
 * it before reading and commits only while `heldForMs()` is above 0; the checkpoint store's
 * refusal to move a checkpoint it did not expect is the safety net under it.
 */
export interface ProjectionLease {
  /** Waits until this holder has the lease for `name`; false when `signal` aborted first. */
  acquire(name: string, signal: AbortSignal): Promise<boolean>;
  /** Whether this holder may still act: the lease is held and safely within its time. */
  isHeld(): boolean;
  /**
   * How much longer this holder may act without another renewal, by its own clock: 0 when it
   * does not hold the lease, Infinity when the lease cannot lapse. The runner bounds each commit
   * by it, so a commit its holder abandons (frozen, cut off) holds nothing past the lease.
   */
  heldForMs(): number;
  /** Gives the lease up so another runner can take it at once. */
  release(): Promise<void>;
}

/** The lease of a runner that is alone by construction (one process): always held. */
export const soleRunner: ProjectionLease = {
  acquire: async (_name, signal) => !signal.aborted,
  isHeld: () => true,
  heldForMs: () => Infinity,
  release: async () => undefined,
};
