import type { ProjectionTx } from "./projection.js";

/** A move of a projection's checkpoint, from where the runner last saw it to a new position. */
export interface CheckpointMove {
  from: number;
  to: number;
  /**
   * How much longer the runner's lease lets it act (Infinity under a lease that cannot lapse). A store
   * whose unit of work holds locks (PostgreSQL's row lock on the checkpoint) must not let a unit
   * its runner abandoned (frozen, cut off) hold them much past this, or the runner that takes
   * the lease over is held back by it.
   */
  heldForMs?: number;
}

/**
 * Where a projection's runner records how far it got. `commit` runs the projection's work and
 * moves the checkpoint as one unit where the backend allows it, and refuses (CHECKPOINT_MOVED)
 * when the checkpoint is not at `move.from` — so a runner that lost its lease cannot record work
 * over another's.
 */
export interface CheckpointStore<TTx extends ProjectionTx = ProjectionTx> {
  /** The last position whose events took effect; 0 when none has. */
  load(name: string): Promise<number>;
  commit(name: string, move: CheckpointMove, work: (tx: TTx) => Promise<void>): Promise<void>;
}
