import {
  AetherError,
  AetherErrorCode,
  createId,
  defaultLogger,
  isoNow,
  parseActorId,
  systemClock,
  type ActorSnapshot,
  type Clock,
  type IdGenerator,
  type Logger,
  type NewEvent,
} from "@aether/kernel";
import { assertExpectedVersion, type ExpectedVersion } from "@aether/occ";
import type { Actor, EventDraft, StoredEvent } from "./actor.js";
import type { EventStore, SnapshotStore } from "./eventStore.js";
import { snapshotRoundTrip } from "./internal/snapshotRoundTrip.js";
import { DEFAULT_SNAPSHOT_INTERVAL, snapshotEvery, type SnapshotPolicy } from "./snapshotPolicy.js";

export interface ActorRepositoryOptions<TState, TCommand, TDraft extends EventDraft> {
  actor: Actor<TState, TCommand, TDraft>;
  eventStore: EventStore;
  /** Without one, every load replays the whole history. */
  snapshotStore?: SnapshotStore;
  /** @default snapshotEvery(100) when a snapshot store is given */
  snapshotPolicy?: SnapshotPolicy;
  /** Ids of new events. @default UUIDv7 */
  ids?: IdGenerator;
  clock?: Clock;
  logger?: Logger;
}

export interface LoadedActor<TState> {
  actorId: string;
  state: TState;
  /** The version `state` reflects; 0 for an actor without events. */
  version: number;
}

export interface HandleOptions<TState = unknown, TDraft extends EventDraft = EventDraft> {
  /** Refuse to decide unless the actor is at this version (e.g. the version a client last saw). */
  expectedVersion?: ExpectedVersion;
  /** Added to every new event's metadata (correlationId, commandId, …). */
  metadata?: Record<string, string>;
  /**
   * Decide on this state instead of loading the actor, for a caller that keeps actors in memory
   * (the cluster's actor host). If it is stale the append fails with VersionConflictError, so a
   * cached state can never overwrite newer history. The repository does not mutate it.
   */
  loaded?: LoadedActor<TState>;
  /**
   * Sees the outcome (new events with their ids and versions, the state after them) before it is
   * appended; throwing aborts the command with nothing appended. Not called when `decide` returns
   * no events.
   */
  beforeAppend?(outcome: HandleResult<TState, TDraft>): void;
}

export interface HandleResult<TState, TDraft extends EventDraft> extends LoadedActor<TState> {
  /** The events this command appended, as stored; empty when `decide` returned none. */
  events: StoredEvent<TDraft>[];
}

/**
 * Loads actors from their latest valid snapshot plus the events after it, runs commands through
 * `decide`, appends the result with optimistic concurrency and snapshots by policy. A concurrent
 * writer makes `handle` fail with VersionConflictError; it never retries on its own (wrap the call
 * in `retryOnConflict` to reload and decide again).
 */
export class ActorRepository<TState, TCommand, TDraft extends EventDraft = EventDraft> {
  readonly #actor: Actor<TState, TCommand, TDraft>;
  readonly #events: EventStore;
  readonly #snapshots: SnapshotStore | undefined;
  readonly #policy: SnapshotPolicy;
  readonly #ids: IdGenerator;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #schemaVersion: number;
  #refusedSnapshotLogged = false;

  constructor(options: ActorRepositoryOptions<TState, TCommand, TDraft>) {
    this.#actor = options.actor;
    this.#events = options.eventStore;
    this.#snapshots = options.snapshotStore;
    this.#policy = options.snapshotPolicy ?? snapshotEvery(DEFAULT_SNAPSHOT_INTERVAL);
    this.#ids = options.ids ?? createId;
    this.#clock = options.clock ?? systemClock;
    this.#schemaVersion = options.actor.schemaVersion ?? 1;
    this.#logger = (options.logger ?? defaultLogger()).child({
      component: "ActorRepository",
      actor: options.actor.name ?? "actor",
    });
  }

  async load(actorId: string): Promise<LoadedActor<TState>> {
    parseActorId(actorId);
    const snapshot = await this.#matchingSnapshot(actorId);
    let rebuild = snapshot === "stale";
    let loaded =
      snapshot === undefined || snapshot === "stale"
        ? await this.#replay(actorId, this.#actor.initialState(), 0)
        : await this.#replay(actorId, this.#restore(snapshot), snapshot.version);
    // Nothing after the snapshot: make sure it is not ahead of the history (a restored or
    // foreign snapshot store), which would otherwise be trusted silently.
    if (typeof snapshot === "object" && loaded.version === snapshot.version) {
      const latest = await this.#events.getLatestVersion(actorId);
      if (snapshot.version > latest) {
        this.#logger.warn(
          { actorId, snapshotVersion: snapshot.version, latestVersion: latest },
          "snapshot ignored: it is beyond the latest stored version; rebuilding from events",
        );
        rebuild = true;
        loaded = await this.#replay(actorId, this.#actor.initialState(), 0);
      }
    }
    if (rebuild && loaded.version > 0) await this.#snapshot(actorId, loaded.state, loaded.version);
    return { actorId, ...loaded };
  }

  async #replay(
    actorId: string,
    initial: TState,
    fromVersion: number,
  ): Promise<{ state: TState; version: number }> {
    let state = initial;
    let version = fromVersion;
    for await (const event of this.#events.readEvents(actorId, { fromVersion: version + 1 })) {
      if (event.version !== version + 1) {
        throw new AetherError(
          AetherErrorCode.Internal,
          `History of actor ${JSON.stringify(actorId)} is not contiguous: expected version ${version + 1}, read ${event.version}`,
          { details: { actorId, expected: version + 1, read: event.version } },
        );
      }
      state = this.#actor.evolve(state, event as StoredEvent<TDraft>);
      version = event.version;
    }
    return { state, version };
  }

  async handle(
    actorId: string,
    command: TCommand,
    options: HandleOptions<TState, TDraft> = {},
  ): Promise<HandleResult<TState, TDraft>> {
    const loaded = options.loaded ?? (await this.load(actorId));
    if (options.expectedVersion !== undefined) {
      assertExpectedVersion(actorId, options.expectedVersion, loaded.version);
    }
    const decided = this.#actor.decide(command, loaded.state);
    const drafts: readonly TDraft[] = Array.isArray(decided) ? decided : [decided as TDraft];
    if (drafts.length === 0) return { ...loaded, events: [] };

    const timestamp = isoNow(this.#clock);
    const events = drafts.map((draft, index): NewEvent => {
      const metadata =
        options.metadata === undefined && draft.metadata === undefined
          ? undefined
          : { ...options.metadata, ...draft.metadata };
      return {
        id: this.#ids(),
        eventType: draft.eventType,
        actorId,
        version: loaded.version + 1 + index,
        data: draft.data,
        ...(metadata === undefined ? {} : { metadata }),
        timestamp,
      };
    });
    const stored = events as StoredEvent<TDraft>[];
    const state = stored.reduce(
      (current, event) => this.#actor.evolve(current, event),
      loaded.state,
    );
    const version = loaded.version + events.length;
    options.beforeAppend?.({ actorId, state, version, events: stored });
    if (events.length === 1) await this.#events.saveEvent(events[0]!);
    else await this.#events.saveEvents(events);

    if (this.#policy.shouldSnapshot({ actorId, previousVersion: loaded.version, version })) {
      await this.#snapshot(actorId, state, version);
    }
    return { actorId, state, version, events: stored };
  }

  // A snapshot is only a shortcut: one taken for another state shape is ignored and rebuilt.
  async #matchingSnapshot(actorId: string): Promise<ActorSnapshot | "stale" | undefined> {
    const snapshot = await this.#snapshots?.getLatestSnapshot(actorId);
    if (snapshot === undefined) return undefined;
    const snapshotSchemaVersion = snapshot.schemaVersion ?? 1;
    if (snapshotSchemaVersion === this.#schemaVersion) return snapshot;
    this.#logger.info(
      {
        actorId,
        snapshotVersion: snapshot.version,
        snapshotSchemaVersion,
        schemaVersion: this.#schemaVersion,
      },
      "snapshot ignored: its schemaVersion differs from the actor's; rebuilding from events",
    );
    return "stale";
  }

  // A stored snapshot may be frozen (in memory) and is shared with other loads: never evolve it.
  #restore(snapshot: ActorSnapshot): TState {
    const json: unknown = structuredClone(snapshot.state);
    const codec = this.#actor.snapshotCodec;
    return codec === undefined ? (json as TState) : codec.decode(json);
  }

  async #snapshot(actorId: string, state: TState, version: number): Promise<void> {
    if (this.#snapshots === undefined) return;
    // A snapshot that would load as another state is worse than none: refuse it, and the actor
    // keeps loading from its events.
    const roundTrip = snapshotRoundTrip(state, this.#actor.snapshotCodec);
    if (!("stored" in roundTrip)) {
      const level = this.#refusedSnapshotLogged ? "debug" : "warn";
      this.#refusedSnapshotLogged = true;
      this.#logger[level](
        { actorId, version, path: roundTrip.path, problem: roundTrip.problem },
        `snapshot refused: ${roundTrip.path} ${roundTrip.problem}, so the snapshot would not restore the state; the actor loads from its events (give the actor a snapshotCodec; logged once)`,
      );
      return;
    }
    try {
      await this.#snapshots.saveSnapshot({
        actorId,
        version,
        state: roundTrip.stored,
        timestamp: isoNow(this.#clock),
        schemaVersion: this.#schemaVersion,
      });
    } catch (error) {
      // The events are stored; a missing snapshot only makes the next load replay further.
      this.#logger.warn({ err: error, actorId, version }, "snapshot not saved");
    }
  }
}
