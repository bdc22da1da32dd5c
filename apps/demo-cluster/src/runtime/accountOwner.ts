import type { ShardOwnership } from "@aether/cluster";
import type { EventStore } from "@aether/event-sourcing";
import {
  createId,
  isoNow,
  systemClock,
  type Clock,
  type Event,
  type NewEvent,
} from "@aether/kernel";
import { isVersionConflict } from "@aether/occ";
import { bankAccount, type BankAccount, type BankAccountCommand } from "../domain/bankAccount.js";
import { RuntimeError } from "./runtimeError.js";

/** What a command returns, wherever it was sent from. */
export interface AccountResult {
  actorId: string;
  state: BankAccount;
  version: number;
  /** The events this command appended (for a repeated commandId: the ones it appended the first time). */
  events: Event[];
  servedBy: string;
  /** True when the commandId had been applied before and nothing was appended now. */
  repeated: boolean;
}

interface CachedActor {
  state: BankAccount;
  version: number;
  /** commandId → the events it appended, for the most recent COMMAND_IDS_KEPT commands. */
  commands: Map<string, Event[]>;
}

export interface AccountOwnerOptions {
  ownership: ShardOwnership;
  eventStore: EventStore;
  /** @default 10_000 actors */
  cacheSize?: number;
  observer?: AccountOwnerObserver;
  clock?: Clock;
}

/** What the owner side reports: for metrics, and to put appended events on the bus. */
export interface AccountOwnerObserver {
  cacheLookup?(hit: boolean): void;
  appended?(events: readonly Event[]): void;
  conflict?(): void;
}

// Retried commands arrive within seconds; 256 per actor covers any retry loop of a live client.
const COMMAND_IDS_KEPT = 256;
const CONFLICT_ATTEMPTS = 3;

/**
 * The owner side of the bank accounts of one node: one command per actor at a time (a promise
 * chain per actor), a bounded cache of actors' state, commandIds remembered from the stored events'
 * metadata so that a repeated command (also after a failover) returns its first outcome.
 */
export class AccountOwner {
  readonly #ownership: ShardOwnership;
  readonly #store: EventStore;
  readonly #cacheSize: number;
  readonly #observer: AccountOwnerObserver;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedActor>();
  readonly #mailboxes = new Map<string, Promise<unknown>>();
  #hold: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(options: AccountOwnerOptions) {
    this.#ownership = options.ownership;
    this.#store = options.eventStore;
    this.#cacheSize = options.cacheSize ?? 10_000;
    this.#observer = options.observer ?? {};
    this.#clock = options.clock ?? systemClock;
    options.ownership.addShardListener({
      shardStopping: (shardId) => this.#dropShard(shardId),
    });
  }

  /** Freezes this owner, as SIGSTOP would: commands wait until `thaw()`. */
  freeze(): void {
    this.#hold ??= new Promise((resolve) => (this.#release = resolve));
  }

  thaw(): void {
    this.#release?.();
    this.#hold = undefined;
    this.#release = undefined;
  }

  async handle(
    actorId: string,
    command: BankAccountCommand,
    commandId: string,
  ): Promise<AccountResult> {
    if (this.#hold !== undefined) await this.#hold;
    const previous = this.#mailboxes.get(actorId) ?? Promise.resolve();
    const next = previous.then(
      () => this.#handleNow(actorId, command, commandId),
      () => this.#handleNow(actorId, command, commandId),
    );
    this.#mailboxes.set(actorId, next);
    try {
      return await next;
    } finally {
      if (this.#mailboxes.get(actorId) === next) this.#mailboxes.delete(actorId);
    }
  }

  #assertServing(actorId: string): number {
    const shardId = this.#ownership.shardFor(actorId);
    if (!this.#ownership.ownsShard(shardId)) {
      throw new RuntimeError(
        "NOT_SERVING",
        `Node ${this.#ownership.nodeId} does not serve shard ${shardId} of actor ${JSON.stringify(actorId)}`,
        { shardId, mapVersion: this.#ownership.getShardAssignments().version },
      );
    }
    return shardId;
  }

  async #handleNow(
    actorId: string,
    command: BankAccountCommand,
    commandId: string,
  ): Promise<AccountResult> {
    for (let attempt = 1; ; attempt++) {
      this.#assertServing(actorId);
      const actor = await this.#load(actorId);
      const earlier = actor.commands.get(commandId);
      if (earlier !== undefined) return this.#result(actorId, actor, earlier, true);
      const decided = bankAccount.decide(command, actor.state);
      const drafts = Array.isArray(decided) ? decided : [decided];
      const timestamp = isoNow(this.#clock);
      const events: NewEvent[] = drafts.map((draft, index) => ({
        id: createId(),
        eventType: draft.eventType,
        actorId,
        version: actor.version + 1 + index,
        data: draft.data,
        metadata: { commandId },
        timestamp,
      }));
      try {
        // Fenced again right before the append: a shard that left during the load is not written.
        this.#assertServing(actorId);
        if (events.length === 1) await this.#store.saveEvent(events[0]!);
        else if (events.length > 1) await this.#store.saveEvents(events);
      } catch (error) {
        this.#cache.delete(actorId);
        if (isVersionConflict(error)) this.#observer.conflict?.();
        if (isVersionConflict(error) && attempt < CONFLICT_ATTEMPTS) continue;
        throw error;
      }
      const stored = events as Event[];
      this.#observer.appended?.(stored);
      for (const event of stored) actor.state = bankAccount.evolve(actor.state, event as never);
      actor.version += stored.length;
      remember(actor, commandId, stored);
      return this.#result(actorId, actor, stored, false);
    }
  }

  #result(actorId: string, actor: CachedActor, events: Event[], repeated: boolean): AccountResult {
    return {
      actorId,
      state: { ...actor.state },
      version: actor.version,
      events,
      servedBy: this.#ownership.nodeId,
      repeated,
    };
  }

  async #load(actorId: string): Promise<CachedActor> {
    const cached = this.#cache.get(actorId);
    this.#observer.cacheLookup?.(cached !== undefined);
    if (cached !== undefined) {
      // Most recently used last, so the first key is the one to evict.
      this.#cache.delete(actorId);
      this.#cache.set(actorId, cached);
      return cached;
    }
    const actor: CachedActor = {
      state: bankAccount.initialState(),
      version: 0,
      commands: new Map(),
    };
    const byCommand = new Map<string, Event[]>();
    for await (const event of this.#store.readEvents(actorId)) {
      actor.state = bankAccount.evolve(actor.state, event as never);
      actor.version = event.version;
      const commandId = event.metadata?.["commandId"];
      if (commandId !== undefined)
        byCommand.set(commandId, [...(byCommand.get(commandId) ?? []), event]);
    }
    for (const [commandId, events] of byCommand) remember(actor, commandId, events);
    this.#cache.set(actorId, actor);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return actor;
  }

  #dropShard(shardId: number): void {
    for (const actorId of this.#cache.keys()) {
      if (this.#ownership.shardFor(actorId) === shardId) this.#cache.delete(actorId);
    }
  }
}

function remember(actor: CachedActor, commandId: string, events: Event[]): void {
  actor.commands.set(commandId, events);
  if (actor.commands.size > COMMAND_IDS_KEPT) {
    const oldest = actor.commands.keys().next().value;
    if (oldest !== undefined) actor.commands.delete(oldest);
  }
}
