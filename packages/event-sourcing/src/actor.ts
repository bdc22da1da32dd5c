import type { Event } from "@aether/kernel";
import type { SnapshotCodec } from "./snapshotCodec.js";

/** What `decide` returns: an event without the parts the repository fills in. */
export interface EventDraft<TType extends string = string, TData = unknown> {
  eventType: TType;
  data: TData;
  metadata?: Record<string, string>;
}

/** A stored event of one of the actor's draft types, discriminated on `eventType`. */
export type StoredEvent<TDraft extends EventDraft> = TDraft extends EventDraft
  ? Omit<Event<TDraft["data"]>, "eventType"> & { eventType: TDraft["eventType"] }
  : never;

/**
 * An event-sourced actor: pure functions over its own state. `decide` turns a command and the
 * current state into new events (or throws a domain error); `evolve` folds one event into the
 * state and must return the new state rather than mutate its arguments.
 */
export interface Actor<TState, TCommand, TDraft extends EventDraft = EventDraft> {
  /** A name for logs, e.g. "BankAccount". */
  readonly name?: string;
  initialState(): TState;
  evolve(state: TState, event: StoredEvent<TDraft>): TState;
  decide(command: TCommand, state: TState): TDraft | readonly TDraft[];
  /**
   * The shape of TState. Bump it when that shape changes: snapshots taken with another
   * schemaVersion are ignored and rebuilt from events. @default 1
   */
  readonly schemaVersion?: number;
  /**
   * How the state is snapshotted. Without a codec the state must be JSON (a `Set` or a `Date`
   * would not come back as itself, so such a state is never snapshotted, and the actor is
   * loaded from its events).
   */
  readonly snapshotCodec?: SnapshotCodec<TState>;
}

/**
 * Identity function that lets TypeScript infer an actor's types from its definition. Write
 * `decide` before `evolve`: TypeScript infers the event types from `decide`'s return left to right.
 */
export function defineActor<TState, TCommand, TDraft extends EventDraft>(
  actor: Actor<TState, TCommand, TDraft>,
): Actor<TState, TCommand, TDraft> {
  return actor;
}
