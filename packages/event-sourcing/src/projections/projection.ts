import type { Event } from "@aether/kernel";

/** What every checkpoint store hands a projection along with each event. */
export interface ProjectionTx {
  /**
   * The position of the event being handled (shared by the events of one append). One unit of
   * work may hold several positions; the checkpoint moves to the last of them.
   */
  position: number;
}

/**
 * A read model fed by every event of a namespace. `handle` applies one event through `tx`, the
 * unit of work of the checkpoint store (a PostgreSQL transaction with PostgresCheckpointStore),
 * which commits the new checkpoint with it: so each event takes effect exactly once.
 */
export interface Projection<TTx extends ProjectionTx = ProjectionTx> {
  /** Names the checkpoint and the lease; one active runner per name. */
  name: string;
  handle(event: Event, tx: TTx): Promise<void> | void;
  /** Only events of these types reach `handle` (the checkpoint moves past the others). */
  eventTypes?: readonly string[];
  /** Empties the read model, in the same unit of work as the checkpoint's return to 0 (rebuild). */
  reset?(tx: TTx): Promise<void> | void;
}
