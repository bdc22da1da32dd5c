/**
 * How an actor's state is snapshotted when it is not plain JSON (a `Set`, a `Date`, a class): the
 * repository stores `encode(state)` and loads `decode(stored)`. Without one, the state itself is
 * stored as JSON. Either way a snapshot is taken only when decoding what would be stored gives the
 * state back exactly.
 */
export interface SnapshotCodec<TState> {
  /** The state as a JSON value (the kernel's JSON rule applies). */
  encode(state: TState): unknown;
  /** The state from a value `encode` returned, after it went through JSON. */
  decode(snapshot: unknown): TState;
}
