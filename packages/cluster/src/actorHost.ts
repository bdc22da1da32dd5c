import {
  ActorRepository,
  isVersionConflict,
  type Actor,
  type EventDraft,
  type EventStore,
  type HandleResult,
  type SnapshotPolicy,
  type SnapshotStore,
  type StoredEvent,
} from "@aether/event-sourcing";
import {
  createId,
  defaultLogger,
  isAetherError,
  parseActorId,
  type IdGenerator,
  type Logger,
} from "@aether/kernel";
import { ActorHostError, type ActorHostErrorCode } from "./actorHostError.js";
import type { ActorTransport, ShardEndpoint, TransportReply } from "./actorTransport.js";
import type { ShardLifecycleListener } from "./shardLifecycle.js";
import type { ShardOwnership } from "./shardOwnership.js";
import { ActorCache, type CachedActor } from "./internal/actorCache.js";
import { AppliedCommands } from "./internal/appliedCommands.js";
import { Mailboxes } from "./internal/mailbox.js";
import { systemScheduler, type Scheduler } from "./scheduler.js";
import { COMMAND_ID_METADATA_KEY, ReplayRecorder } from "./internal/replayRecorder.js";
import {
  byteLength,
  decodeRequest,
  decodeText,
  encodeText,
  failureText,
  outcomeText,
  parseFailure,
  parseOutcome,
  requestText,
  type CommandOutcome,
  type CommandRequest,
} from "./internal/wireFormat.js";

export interface ActorHostOptions {
  /** Which node serves which shard: a `ClusterNode`, or any ShardOwnership. */
  cluster: ShardOwnership;
  /** How commands reach other nodes: `natsTransport(nc)`, or one `InProcessTransport` per process. */
  transport: ActorTransport;
  /** Actors whose state is kept in memory on this node, across all actor types. @default 10_000 */
  cacheSize?: number;
  /** How long `send` keeps trying when no `timeoutMs` is given. @default 10_000 */
  defaultTimeoutMs?: number;
  /**
   * The longest one attempt waits for a reply before the sender re-reads the map and tries again
   * (with the same command id), so a command sent to an owner that just died is not stuck until
   * its deadline. @default 2_000
   */
  attemptTimeoutMs?: number;
  /** Reloads and decisions again after a version conflict before the command fails. @default 3 */
  maxConflictRetries?: number;
  /**
   * How many of an actor's latest events are searched for a command id already applied: a retry
   * whose first attempt is older than that many events of the same actor is applied again.
   * @default 1_000
   */
  commandIdWindow?: number;
  /** Ids of commands sent without one. @default UUIDv7 */
  ids?: IdGenerator;
  /** Monotonic time and timers for deadlines and retry pauses (a simulation passes its virtual one). @default systemScheduler */
  scheduler?: Scheduler;
  logger?: Logger;
}

/** What an actor type needs on the node that serves it. */
export interface ActorRegistration<TState, TCommand, TDraft extends EventDraft = EventDraft> {
  actor: Actor<TState, TCommand, TDraft>;
  eventStore: EventStore;
  snapshotStore?: SnapshotStore;
  /** @default snapshotEvery(100) when a snapshot store is given */
  snapshotPolicy?: SnapshotPolicy;
}

export interface SendOptions {
  /**
   * Makes the command idempotent: a command whose id this actor has already applied returns the
   * original events and appends nothing, whichever node handles it. Reuse it when retrying a
   * command that failed with TIMEOUT. Up to 256 characters. @default a fresh UUIDv7
   */
  commandId?: string;
  /** How long to keep trying (routing retries included). @default the host's defaultTimeoutMs */
  timeoutMs?: number;
}

/** The outcome of `send`: the actor after the command and the events it appended. */
export interface SendResult<
  TState = unknown,
  TDraft extends EventDraft = EventDraft,
> extends HandleResult<TState, TDraft> {
  commandId: string;
  /**
   * True when the command id had already been applied: `events` are the ones it appended then,
   * `state` and `version` are the actor as it stands now, and nothing was appended.
   */
  duplicate: boolean;
}

/** Counters of one host, for health checks, tests and the bench. */
export interface ActorHostStats {
  cachedActors: number;
  cacheCapacity: number;
  cacheHits: number;
  cacheMisses: number;
  /** Commands decided on this node (duplicates and refusals included). */
  commandsHandled: number;
  /** Commands whose id had been applied already. */
  duplicates: number;
  /** Reload-and-decide-again rounds after a version conflict. */
  conflictRetries: number;
  /** Requests this node refused because it does not serve the shard. */
  notOwnerRefusals: number;
  /** Shards this host answers for now. */
  servedShards: number;
}

interface RegisteredType {
  readonly repository: ActorRepository<unknown, unknown, EventDraft>;
  readonly recorder: ReplayRecorder;
  readonly eventStore: EventStore;
}

interface ServedShard {
  serving: boolean;
  readonly endpoint: ShardEndpoint;
  readonly inFlight: Set<Promise<void>>;
}

/** The owner's answer before it becomes bytes: the outcome's JSON, or a refusal. */
interface ReplyText {
  readonly errorCode?: ActorHostErrorCode;
  readonly text: string;
}

// Thrown by a registered actor's decide, so a refusal is told apart from a failing store.
class Refusal extends Error {
  constructor(readonly refusal: unknown) {
    super("refused by the actor");
  }
}

const MAX_COMMAND_ID_LENGTH = 256;
const MAX_ACTOR_TYPE_LENGTH = 256;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 200;

function positiveInteger(name: string, value: number, minimum = 1): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ActorHostError(
      "INVALID_ARGUMENT",
      `ActorHost: ${name} must be an integer >= ${minimum}, got ${value}`,
    );
  }
  return value;
}

/**
 * Distributed actors on a cluster: `send` delivers a command to the node serving the actor's shard
 * (through the transport, or directly when that is this node), which runs it through the actor's
 * repository — one command per actor at a time, in arrival order, on a cached state — and answers
 * with the outcome or a typed error. A node that does not serve the shard answers NOT_OWNER and the
 * sender retries against the map as it then stands until its deadline.
 */
export class ActorHost {
  readonly #cluster: ShardOwnership;
  readonly #transport: ActorTransport;
  readonly #cache: ActorCache;
  readonly #mailboxes = new Mailboxes();
  readonly #types = new Map<string, RegisteredType>();
  readonly #shards = new Map<number, ServedShard>();
  readonly #defaultTimeoutMs: number;
  readonly #attemptTimeoutMs: number;
  readonly #maxConflictRetries: number;
  readonly #commandIdWindow: number;
  readonly #ids: IdGenerator;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #removeListener: () => void;
  #closed = false;
  #stats = { commandsHandled: 0, duplicates: 0, conflictRetries: 0, notOwnerRefusals: 0 };

  constructor(options: ActorHostOptions) {
    this.#cluster = options.cluster;
    this.#transport = options.transport;
    this.#cache = new ActorCache(positiveInteger("cacheSize", options.cacheSize ?? 10_000, 0));
    this.#defaultTimeoutMs = positiveInteger(
      "defaultTimeoutMs",
      options.defaultTimeoutMs ?? 10_000,
    );
    this.#attemptTimeoutMs = positiveInteger("attemptTimeoutMs", options.attemptTimeoutMs ?? 2_000);
    this.#maxConflictRetries = positiveInteger(
      "maxConflictRetries",
      options.maxConflictRetries ?? 3,
      0,
    );
    this.#commandIdWindow = positiveInteger("commandIdWindow", options.commandIdWindow ?? 1_000);
    this.#ids = options.ids ?? createId;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#logger = (options.logger ?? defaultLogger()).child({
      component: "ActorHost",
      nodeId: options.cluster.nodeId,
    });
    const listener: ShardLifecycleListener = {
      shardStarted: (shardId) => this.#startShard(shardId),
      shardStopping: (shardId) => this.#stopShard(shardId),
    };
    this.#removeListener = this.#cluster.addShardListener(listener);
  }

  /** Makes an actor type known on this node; every node of the cluster registers the same types. */
  register<TState, TCommand, TDraft extends EventDraft>(
    actorType: string,
    registration: ActorRegistration<TState, TCommand, TDraft>,
  ): void {
    this.#checkActorType(actorType);
    if (this.#types.has(actorType)) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `Actor type ${JSON.stringify(actorType)} is already registered on node ${this.#cluster.nodeId}`,
      );
    }
    const { actor } = registration;
    const recorder = new ReplayRecorder(registration.eventStore, this.#commandIdWindow);
    const refusing: Actor<TState, TCommand, TDraft> = {
      ...actor,
      name: actor.name ?? actorType,
      decide(command, state) {
        try {
          return actor.decide(command, state);
        } catch (error) {
          throw new Refusal(error);
        }
      },
    };
    const repository = new ActorRepository({
      actor: refusing,
      eventStore: recorder,
      ...(registration.snapshotStore === undefined
        ? {}
        : { snapshotStore: registration.snapshotStore }),
      ...(registration.snapshotPolicy === undefined
        ? {}
        : { snapshotPolicy: registration.snapshotPolicy }),
      logger: this.#logger,
    });
    this.#types.set(actorType, {
      repository,
      recorder,
      eventStore: registration.eventStore,
    });
  }

  /**
   * Delivers a command to the actor wherever it lives and resolves to the outcome. Fails with
   * COMMAND_REJECTED (the actor refused), UNKNOWN_ACTOR_TYPE, INVALID_ARGUMENT, PAYLOAD_TOO_LARGE,
   * VERSION_CONFLICT (still conflicting after the retries), or — once the deadline has passed —
   * UNAVAILABLE (no node served the shard) or TIMEOUT (the outcome is unknown: retry with the same
   * commandId).
   */
  // eslint-disable-next-line max-params -- the signature is the contract of ARCHITECTURE.md §6b
  async send<TState = unknown, TDraft extends EventDraft = EventDraft>(
    actorType: string,
    actorId: string,
    command: unknown,
    options: SendOptions = {},
  ): Promise<SendResult<TState, TDraft>> {
    if (this.#closed) {
      throw new ActorHostError("CLOSED", `ActorHost on node ${this.#cluster.nodeId} is closed`);
    }
    this.#checkActorType(actorType);
    try {
      parseActorId(actorId);
    } catch (error) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `Invalid actor id for ${actorType}: ${(error as Error).message}`,
        { cause: error, details: { actorType } },
      );
    }
    const commandId = options.commandId ?? this.#ids();
    if (
      typeof commandId !== "string" ||
      commandId.length === 0 ||
      commandId.length > MAX_COMMAND_ID_LENGTH
    ) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `commandId must be a non-empty string of at most ${MAX_COMMAND_ID_LENGTH} characters, got ${JSON.stringify(commandId)}`,
        { details: { actorType, actorId } },
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
      );
    }
    const head = { actorType, actorId, commandId };
    const commandJson = this.#serialise(head, command);
    const outcome = await this.#deliver(head, commandJson, timeoutMs);
    return {
      actorId,
      commandId,
      state: outcome.state as TState,
      version: outcome.version,
      events: outcome.events as StoredEvent<TDraft>[],
      duplicate: outcome.duplicate,
    };
  }

  stats(): ActorHostStats {
    return {
      cachedActors: this.#cache.size,
      cacheCapacity: this.#cache.capacity,
      cacheHits: this.#cache.hits,
      cacheMisses: this.#cache.misses,
      ...this.#stats,
      servedShards: [...this.#shards.values()].filter((shard) => shard.serving).length,
    };
  }

  /**
   * Stops answering for this node's shards (finishing the commands already running), refuses new
   * sends and drops the cache. Call it after `node.leave()`, which hands the shards over first.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#removeListener();
    await Promise.all([...this.#shards.keys()].map((shardId) => this.#stopShard(shardId)));
    this.#cache.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkActorType(actorType: string): void {
    if (
      typeof actorType !== "string" ||
      actorType.length === 0 ||
      actorType.length > MAX_ACTOR_TYPE_LENGTH
    ) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `actorType must be a non-empty string of at most ${MAX_ACTOR_TYPE_LENGTH} characters, got ${JSON.stringify(actorType)}`,
      );
    }
  }

  #serialise(head: { actorType: string; actorId: string; commandId: string }, command: unknown) {
    const what = `command ${head.commandId} for ${head.actorType} ${JSON.stringify(head.actorId)}`;
    let json: string | undefined;
    try {
      json = JSON.stringify(command);
    } catch (error) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `The ${what} cannot be serialised to JSON: ${(error as Error).message}`,
        { cause: error, details: head },
      );
    }
    if (json === undefined) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `The ${what} cannot be serialised to JSON: it is ${typeof command}`,
        { details: head },
      );
    }
    const size = byteLength(requestText(head, this.#defaultTimeoutMs, json));
    if (size > this.#transport.maxPayload) {
      throw new ActorHostError(
        "PAYLOAD_TOO_LARGE",
        `The ${what} is ${size} bytes on the wire, over the transport's limit of ${this.#transport.maxPayload} bytes`,
        { details: { ...head, size, maxPayload: this.#transport.maxPayload } },
      );
    }
    return json;
  }

  async #deliver(
    head: { actorType: string; actorId: string; commandId: string },
    commandJson: string,
    timeoutMs: number,
  ): Promise<CommandOutcome> {
    const shardId = this.#cluster.shardFor(head.actorId);
    const deadline = this.#scheduler.now() + timeoutMs;
    let lastFailure: ActorHostError | undefined;
    let attempts = 0;
    let backoffMs = FIRST_BACKOFF_MS;
    for (;;) {
      const remaining = Math.floor(deadline - this.#scheduler.now());
      if (remaining <= 0 || this.#closed) break;
      attempts++;
      try {
        const reply = this.#servesNow(shardId)
          ? await this.#handle({ ...head, ttlMs: remaining, command: JSON.parse(commandJson) })
          : await this.#remote(shardId, requestText(head, remaining, commandJson), remaining);
        if (reply.errorCode === undefined) return parseOutcome(reply.text);
        const failure = parseFailure(reply.text);
        throw new ActorHostError(reply.errorCode, failure.message, { details: failure.details });
      } catch (error) {
        if (!(error instanceof ActorHostError) || !error.retryable) throw error;
        lastFailure = error;
      }
      // A refusal means the map is moving: give the new owner a moment before asking again.
      if (lastFailure.code !== "TIMEOUT") {
        const pause = Math.min(backoffMs, Math.max(0, deadline - this.#scheduler.now()));
        await new Promise<void>((resolve) => this.#scheduler.schedule(pause, resolve));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
    throw this.#gaveUp({ ...head, shardId, timeoutMs, attempts }, lastFailure);
  }

  async #remote(shardId: number, text: string, remaining: number): Promise<ReplyText> {
    const reply: TransportReply = await this.#transport.request(
      shardId,
      encodeText(text),
      Math.min(remaining, this.#attemptTimeoutMs),
    );
    const errorCode = reply.errorCode;
    if (errorCode === undefined) return { text: decodeText(reply.body) };
    return {
      errorCode: ActorHostError.isCode(errorCode) ? errorCode : "INTERNAL",
      text: decodeText(reply.body),
    };
  }

  #gaveUp(
    context: {
      actorType: string;
      actorId: string;
      commandId: string;
      shardId: number;
      timeoutMs: number;
      attempts: number;
    },
    lastFailure: ActorHostError | undefined,
  ): ActorHostError {
    const map = this.#cluster.getShardAssignments();
    const owner = map.shards[context.shardId];
    const details = {
      ...context,
      mapVersion: map.version,
      owner,
      lastCode: lastFailure?.code,
    };
    const where = `shard ${context.shardId} (map version ${map.version}, owner ${owner ?? "none"})`;
    if (lastFailure?.code === "TIMEOUT") {
      return new ActorHostError(
        "TIMEOUT",
        `Command ${context.commandId} for ${context.actorType} ${JSON.stringify(context.actorId)} got no reply within ${context.timeoutMs} ms from ${where}; its outcome is unknown, retry with the same commandId`,
        { cause: lastFailure, details },
      );
    }
    return new ActorHostError(
      "UNAVAILABLE",
      `No node served ${where} for command ${context.commandId} to ${context.actorType} ${JSON.stringify(context.actorId)} within ${context.timeoutMs} ms after ${context.attempts} attempt(s)${lastFailure === undefined ? "" : `: ${lastFailure.message}`}`,
      { ...(lastFailure === undefined ? {} : { cause: lastFailure }), details },
    );
  }

  #servesNow(shardId: number): boolean {
    return this.#shards.get(shardId)?.serving === true && this.#cluster.ownsShard(shardId);
  }

  #startShard(shardId: number): void {
    if (this.#closed || this.#shards.get(shardId)?.serving === true) return;
    // Another node may have changed these actors while the shard was away.
    this.#cache.dropShard(shardId);
    const endpoint = this.#transport.serve(shardId, async (body) => {
      let request: CommandRequest;
      try {
        request = decodeRequest(body);
      } catch (error) {
        return {
          errorCode: "INVALID_ARGUMENT",
          body: encodeText(
            failureText({
              message: `Malformed command request: ${(error as Error).message}`,
              details: {},
            }),
          ),
        };
      }
      const reply = await this.#handle(request);
      return {
        body: encodeText(reply.text),
        ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
      };
    });
    this.#shards.set(shardId, { serving: true, endpoint, inFlight: new Set() });
    this.#logger.debug({ shardId }, "serving shard");
  }

  async #stopShard(shardId: number): Promise<void> {
    const shard = this.#shards.get(shardId);
    if (shard === undefined) return;
    // New commands are refused from here on; the ones already running finish first.
    shard.serving = false;
    await shard.endpoint.stop();
    await Promise.all(shard.inFlight);
    if (this.#shards.get(shardId) === shard) this.#shards.delete(shardId);
    this.#cache.dropShard(shardId);
    this.#logger.debug({ shardId }, "stopped serving shard");
  }

  /** Owner side: refuse, or queue the command in the actor's mailbox. */
  #handle(request: CommandRequest): Promise<ReplyText> {
    const type = this.#types.get(request.actorType);
    if (type === undefined) {
      return Promise.resolve(
        this.#failure("UNKNOWN_ACTOR_TYPE", {
          message: `Actor type ${JSON.stringify(request.actorType)} is not registered on node ${this.#cluster.nodeId}`,
          details: { actorType: request.actorType, nodeId: this.#cluster.nodeId },
        }),
      );
    }
    let shardId: number;
    try {
      shardId = this.#cluster.shardFor(parseActorId(request.actorId));
    } catch (error) {
      return Promise.resolve(
        this.#failure("INVALID_ARGUMENT", {
          message: `Invalid actor id for ${request.actorType}: ${(error as Error).message}`,
          details: { actorType: request.actorType },
        }),
      );
    }
    const shard = this.#shards.get(shardId);
    if (shard === undefined || !shard.serving) return Promise.resolve(this.#notOwner(shardId));
    const arrived = this.#scheduler.now();
    const key = `${request.actorType}\u0000${request.actorId}`;
    const result = this.#mailboxes.post(key, () =>
      this.#run({ request, type, shard, shardId, key, expiresAt: arrived + request.ttlMs }),
    );
    const tracked = result.then(
      () => undefined,
      () => undefined,
    );
    shard.inFlight.add(tracked);
    void tracked.then(() => shard.inFlight.delete(tracked));
    return result;
  }

  async #run(job: {
    request: CommandRequest;
    type: RegisteredType;
    shard: ServedShard;
    shardId: number;
    key: string;
    expiresAt: number;
  }): Promise<ReplyText> {
    const { request, shard, shardId, key } = job;
    // Checked again at the head of the mailbox: the shard may have moved while this waited.
    if (!shard.serving || !this.#cluster.ownsShard(shardId)) return this.#notOwner(shardId);
    if (this.#scheduler.now() >= job.expiresAt) {
      return this.#failure("TIMEOUT", {
        message: `Command ${request.commandId} for ${request.actorType} ${JSON.stringify(request.actorId)} expired in the actor's mailbox before it ran; nothing was appended`,
        details: { actorType: request.actorType, actorId: request.actorId, shardId },
      });
    }
    this.#stats.commandsHandled++;
    try {
      return await this.#decide(job);
    } catch (error) {
      // A refusal or an oversized reply leaves the cached state as it was; anything else may not.
      if (!(error instanceof Refusal) && !isAetherError(error, "PAYLOAD_TOO_LARGE")) {
        this.#cache.delete(key);
      }
      return this.#describeFailure(request, error);
    }
  }

  async #decide(job: {
    request: CommandRequest;
    type: RegisteredType;
    shardId: number;
    key: string;
  }): Promise<ReplyText> {
    const { request, type, shardId, key } = job;
    let cached = this.#cache.get(key) ?? (await this.#load(type, request.actorId, shardId));
    for (let conflicts = 0; ; conflicts++) {
      const applied = cached.applied.find(request.commandId);
      if (applied !== undefined) {
        this.#cache.set(key, cached);
        return this.#duplicate(type, cached, applied);
      }
      let reply: string | undefined;
      try {
        const result = await type.repository.handle(request.actorId, request.command, {
          loaded: cached.loaded,
          metadata: { [COMMAND_ID_METADATA_KEY]: request.commandId },
          beforeAppend: (outcome) => {
            reply = this.#checkedReply(request, { ...outcome, duplicate: false });
          },
        });
        reply ??= this.#checkedReply(request, { ...result, duplicate: false });
        for (const event of result.events) cached.applied.note(request.commandId, event.version);
        cached.applied.trim(result.version);
        cached.loaded = { actorId: request.actorId, state: result.state, version: result.version };
        this.#cache.set(key, cached);
        return { text: reply };
      } catch (error) {
        if (!isVersionConflict(error) || conflicts >= this.#maxConflictRetries) throw error;
        // Another writer got there first (an old owner still finishing, a writer outside the
        // cluster): the cached state is stale, so reload, look for this command id again, decide again.
        this.#stats.conflictRetries++;
        this.#cache.delete(key);
        cached = await this.#load(type, request.actorId, shardId);
      }
    }
  }

  async #load(type: RegisteredType, actorId: string, shardId: number): Promise<CachedActor> {
    const [loaded, replayed] = await type.recorder.record(actorId, () =>
      type.repository.load(actorId),
    );
    const applied = new AppliedCommands(this.#commandIdWindow);
    const windowStart = Math.max(1, loaded.version - this.#commandIdWindow + 1);
    const replayedFrom = replayed[0]?.[0] ?? loaded.version + 1;
    const noted: (readonly [number, string])[] = [];
    // A snapshot spared the replay of part of the window: read that part for its command ids.
    if (replayedFrom > windowStart && loaded.version >= windowStart) {
      const until = Math.min(replayedFrom - 1, loaded.version);
      for await (const event of type.eventStore.readEvents(actorId, { fromVersion: windowStart })) {
        if (event.version > until) break;
        const commandId = event.metadata?.[COMMAND_ID_METADATA_KEY];
        if (commandId !== undefined) noted.push([event.version, commandId]);
      }
    }
    for (const [version, commandId] of [...noted, ...replayed]) {
      if (version >= windowStart) applied.note(commandId, version);
    }
    return { shardId, loaded, applied };
  }

  async #duplicate(
    type: RegisteredType,
    cached: CachedActor,
    applied: { fromVersion: number; toVersion: number },
  ): Promise<ReplyText> {
    this.#stats.duplicates++;
    const events: unknown[] = [];
    for await (const event of type.eventStore.readEvents(cached.loaded.actorId, {
      fromVersion: applied.fromVersion,
    })) {
      if (event.version > applied.toVersion) break;
      events.push(event);
    }
    const outcome = { ...cached.loaded, events, duplicate: true };
    const text = outcomeText(outcome);
    this.#checkSize(text, cached.loaded.actorId);
    return { text };
  }

  #checkedReply(request: CommandRequest, outcome: CommandOutcome): string {
    const text = outcomeText(outcome);
    this.#checkSize(text, request.actorId, request);
    return text;
  }

  #checkSize(text: string, actorId: string, request?: CommandRequest): void {
    const size = byteLength(text);
    if (size <= this.#transport.maxPayload) return;
    throw new ActorHostError(
      "PAYLOAD_TOO_LARGE",
      `The reply for ${request === undefined ? "the actor" : `command ${request.commandId} to ${request.actorType}`} ${JSON.stringify(actorId)} would be ${size} bytes, over the transport's limit of ${this.#transport.maxPayload} bytes; nothing was appended`,
      { details: { actorId, size, maxPayload: this.#transport.maxPayload } },
    );
  }

  #describeFailure(request: CommandRequest, error: unknown): ReplyText {
    const about = {
      actorType: request.actorType,
      actorId: request.actorId,
      commandId: request.commandId,
    };
    if (error instanceof Refusal) {
      const refusal = error.refusal;
      const message = refusal instanceof Error ? refusal.message : String(refusal);
      const code = (refusal as { code?: unknown } | null)?.code;
      return this.#failure("COMMAND_REJECTED", {
        message,
        details: {
          ...about,
          ...(refusal instanceof Error ? { errorName: refusal.name } : {}),
          ...(typeof code === "string" ? { reason: code } : {}),
        },
      });
    }
    if (isAetherError(error) && ActorHostError.isCode(error.code)) {
      return this.#failure(error.code, {
        message: error.message,
        details: { ...error.details, ...about },
      });
    }
    this.#logger.error({ err: error, ...about }, "command failed on its owner");
    return this.#failure("INTERNAL", {
      message: `Command ${request.commandId} for ${request.actorType} ${JSON.stringify(request.actorId)} failed on node ${this.#cluster.nodeId}: ${error instanceof Error ? error.message : String(error)}`,
      details: about,
    });
  }

  #notOwner(shardId: number): ReplyText {
    this.#stats.notOwnerRefusals++;
    const map = this.#cluster.getShardAssignments();
    return this.#failure("NOT_OWNER", {
      message: `Node ${this.#cluster.nodeId} does not serve shard ${shardId} (map version ${map.version})`,
      details: { shardId, nodeId: this.#cluster.nodeId, mapVersion: map.version },
    });
  }

  #failure(code: ActorHostErrorCode, body: { message: string; details: Record<string, unknown> }) {
    return { errorCode: code, text: failureText(body) };
  }
}
