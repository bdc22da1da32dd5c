import type { CheckpointMove, CheckpointStore } from "./checkpointStore.js";
import type { ProjectionTx } from "./projection.js";
import { checkpointMoved } from "./projectionError.js";

/**
 * Checkpoints in process memory, for a read model in the same memory: both are lost together,
 * so a restarted process rebuilds from position 0. The work and the checkpoint are not one
 * transaction: a handler that throws halfway leaves its partial effects (the runner stops).
 */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly #positions = new Map<string, number>();

  async load(name: string): Promise<number> {
    return this.#positions.get(name) ?? 0;
  }

  async commit(
    name: string,
    move: CheckpointMove,
    work: (tx: ProjectionTx) => Promise<void>,
  ): Promise<void> {
    const current = this.#positions.get(name) ?? 0;
    if (current !== move.from) throw checkpointMoved(name, move.from, current);
    await work({ position: move.to });
    this.#positions.set(name, move.to);
  }
}
