import {
  AetherError,
  AetherErrorCode,
  isAetherError,
  type Clock,
  type Event,
  type Logger,
  type NewEvent,
  type DomainEventPublisher,
} from "@aether/kernel";
import { Deadline, checkPayloadSize, integerOption, toAetherError } from "@aether/nats";
import {
  JetStreamErrorCode,
  StreamClient,
  isJetStreamApiError,
  type PubAck,
} from "@aether/nats/jetstream";
import { actorSubject, eventStreamName } from "@aether/namespace/naming";
import { headers as natsHeaders, nuid, type NatsConnection } from "@nats-io/nats-core";
import type {
  AllEventsPage,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "../allEvents.js";
import type { EventStore, ReadEventsOptions, ReplayResult } from "../eventStore.js";
import { readAllOf, readAllPageOf, type LogSource } from "../internal/logSource.js";
import { SourceSubscription } from "../internal/sourceSubscription.js";
import { prepareAppend } from "../internal/prepareAppend.js";
import { limitRefusal } from "./internal/client/limitRefusal.js";
import { isStreamGone } from "./internal/client/streamPresence.js";
import { EventSourcingError } from "../eventSourcingError.js";
import { ensureEventStream, type EventStreamFacts } from "./internal/client/eventStreamSetup.js";
import { encodeLinks, nextLinks, PREV_HEADER } from "./internal/history/chainLinks.js";
import { encodeEvents } from "./internal/history/eventCodec.js";
import { PositionCache } from "./internal/history/positionCache.js";
import { JetStreamEventReader, MSG_ID_HEADER, lastOf } from "./internal/jetStreamEventReader.js";
import { namespaceLogSource } from "./internal/namespaceLogSource.js";
import { storeContext } from "../internal/storeContext.js";
import type { StoreReports } from "../internal/storeReports.js";

export interface JetStreamEventStoreOptions {
  /** The tenant or bounded context this store holds; one stream per namespace. @default "default" */
  namespace?: string;
  /** Receives `EventStored` and `VersionConflict`. @default silentDomainEventPublisher */
  publisher?: DomainEventPublisher;
  logger?: Logger;
  /** Fills in missing timestamps and stamps domain events. @default systemClock */
  clock?: Clock;
  /**
   * Copies of each event, used when this store creates the stream (an existing stream keeps its
   * own). 3 on a cluster: an acknowledged event then survives the loss of any one server.
   * @default 1
   */
  replicas?: number;
  /**
   * Set to `"nats-server#4320"` to use a replicated stream (replicas > 1) on nats-server < 2.9.21
   * anyway. Without it the store refuses such a stream (`MISCONFIGURED`): those servers can
   * acknowledge two racing appends of one version, and diverge under leader loss, so an
   * acknowledged append there is not trustworthy. See the README's "nats-server#4320" section.
   */
  acceptServerRisk?: "nats-server#4320";
  /**
   * How long the server remembers `Nats-Msg-Id`s, used when this store creates the stream. An
   * append retried inside one call (after a lost answer) is recognised by its message id within
   * this window; OCC keeps it from being stored twice in any case. Longer costs server memory
   * (one entry per append in the window).
   * @default 30_000
   */
  duplicateWindowMs?: number;
  /**
   * Longest time one call may take, internal retries included; then it fails with TIMEOUT (the
   * outcome is unknown) or UNAVAILABLE (nothing was stored). Streaming reads apply
   * `requestTimeoutMs` to each batch instead, since their length is the caller's.
   * @default 10_000
   */
  timeoutMs?: number;
  /** Longest wait for one answer from NATS before the call retries it. @default 2_000 */
  requestTimeoutMs?: number;
  /** How many actors' last positions to remember, which spares appends a read. @default 10_000 */
  cacheSize?: number;
}

const OCC_HEADER = "Nats-Expected-Last-Subject-Sequence";

/**
 * An EventStore on NATS JetStream: one stream per namespace, one subject per actor, one message
 * per append (a batch is one message, so it is atomic). Optimistic concurrency is enforced by the
 * server: every append names the stream sequence of the actor's last message in
 * `Nats-Expected-Last-Subject-Sequence`, so two processes can never both write a version.
 * See the package README for the stream layout and what happens on each failure.
 */
export class JetStreamEventStore implements EventStore {
  readonly namespace: string;
  /** The JetStream stream that holds this namespace's events. */
  readonly streamName: string;
  readonly #client: StreamClient;
  readonly #reports: StoreReports;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #cache: PositionCache;
  readonly #replicas: number;
  readonly #acceptServerRisk: boolean;
  readonly #duplicateWindowMs: number;
  readonly #timeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #reader: JetStreamEventReader;
  readonly #log: LogSource;
  #ready: Promise<EventStreamFacts> | undefined;
  /** Set once the stream was found deleted: calls fail until ensureStream() finds it again. */
  #gone = false;

  constructor(nc: NatsConnection, options: JetStreamEventStoreOptions = {}) {
    const context = storeContext("JetStreamEventStore", options);
    this.namespace = context.namespace;
    this.streamName = eventStreamName(this.namespace);
    this.#client = new StreamClient(nc, this.streamName);
    this.#clock = context.clock;
    this.#logger = context.logger;
    this.#reports = context.reports;
    this.#replicas = integerOption("replicas", options.replicas, { fallback: 1, min: 1, max: 5 });
    if (options.acceptServerRisk !== undefined && options.acceptServerRisk !== "nats-server#4320") {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        `acceptServerRisk must be "nats-server#4320" or absent, got ${JSON.stringify(options.acceptServerRisk)}`,
      );
    }
    this.#acceptServerRisk = options.acceptServerRisk === "nats-server#4320";
    this.#timeoutMs = integerOption("timeoutMs", options.timeoutMs, { fallback: 10_000, min: 1 });
    this.#requestTimeoutMs = integerOption("requestTimeoutMs", options.requestTimeoutMs, {
      fallback: 2_000,
      min: 1,
    });
    this.#duplicateWindowMs = integerOption("duplicateWindowMs", options.duplicateWindowMs, {
      fallback: 30_000,
      min: 1,
    });
    this.#cache = new PositionCache(
      integerOption("cacheSize", options.cacheSize, { fallback: 10_000, min: 0 }),
    );
    this.#reader = new JetStreamEventReader({
      client: this.#client,
      namespace: this.namespace,
      facts: () => this.#facts(),
      whenGone: (error, timeoutMs) => this.#whenGone(error, timeoutMs),
      cache: this.#cache,
      logger: this.#logger,
      timeoutMs: this.#timeoutMs,
      requestTimeoutMs: this.#requestTimeoutMs,
    });
    this.#log = namespaceLogSource(this.#client, {
      namespace: this.namespace,
      timeoutMs: this.#timeoutMs,
      requestTimeoutMs: this.#requestTimeoutMs,
      logger: this.#logger,
      ready: () => this.#facts(),
    });
  }

  /**
   * Creates the stream if it does not exist yet (or adopts the one another process created) and
   * checks its settings. Every other method calls it first, so calling it is optional: do it at
   * start-up to surface a misconfiguration early.
   */
  async ensureStream(): Promise<void> {
    if (this.#gone) {
      // Never recreate a stream this store saw deleted: an empty one would pass for a history.
      await this.#client
        .api(`STREAM.INFO.${this.streamName}`, undefined, this.#requestTimeoutMs)
        .catch((error: unknown) => {
          throw isJetStreamApiError(error, JetStreamErrorCode.StreamNotFound)
            ? this.#notFound()
            : toAetherError(error, `check event stream ${this.streamName}`);
        });
      this.#gone = false;
    }
    this.#ready = undefined;
    await this.#facts();
  }

  #notFound(): EventSourcingError<"STREAM_NOT_FOUND"> {
    return new EventSourcingError(
      "STREAM_NOT_FOUND",
      `Event stream ${this.streamName} of namespace ${JSON.stringify(this.namespace)} does not exist any more (it was deleted under this store). The store does not recreate it: recreate or restore it, then call ensureStream()`,
      { details: { stream: this.streamName, namespace: this.namespace } },
    );
  }

  /** Rethrows `error`, as STREAM_NOT_FOUND when the server says the stream is gone. */
  async #whenGone(error: unknown, timeoutMs: number): Promise<never> {
    if (this.#gone || (await isStreamGone(this.#client, error, timeoutMs))) {
      this.#gone = true;
      this.#ready = undefined;
      this.#cache.clear();
      throw this.#notFound();
    }
    throw error;
  }

  #facts(): Promise<EventStreamFacts> {
    if (this.#gone) return Promise.reject(this.#notFound());
    this.#ready ??= ensureEventStream(
      this.#client,
      {
        namespace: this.namespace,
        replicas: this.#replicas,
        acceptServerRisk: this.#acceptServerRisk,
        duplicateWindowMs: this.#duplicateWindowMs,
        timeoutMs: this.#timeoutMs,
        requestTimeoutMs: this.#requestTimeoutMs,
      },
      this.#logger,
    ).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async saveEvent(event: NewEvent): Promise<void> {
    await this.#append([event]);
  }

  async saveEvents(events: NewEvent[]): Promise<void> {
    // An empty decision is a valid outcome of a command: nothing to store, nothing to check.
    if (Array.isArray(events) && events.length === 0) return;
    await this.#append(events);
  }

  async #append(input: readonly NewEvent[]): Promise<void> {
    const { actorId, firstVersion, events } = prepareAppend(input, this.#clock);
    await this.#facts();
    const subject = actorSubject(this.namespace, actorId);
    const data = encodeEvents(events);
    const operation = `append to actor ${JSON.stringify(actorId)}`;
    const deadline = new Deadline(this.#timeoutMs);
    let head = this.#cache.get(actorId);
    if (head?.version !== firstVersion - 1) head = await this.#reader.readHead(actorId, deadline);
    let msgId = nuid.next();
    // Set once an attempt timed out: it may have been stored, so a duplicate ack for this message
    // id, or a head that carries it, is our own append landing, and a final failure must say
    // the outcome is unknown.
    let outcomeUnknown = false;
    for (let attempt = 0; ; attempt++) {
      if (firstVersion !== head.version + 1) {
        if (outcomeUnknown && head.msgId === msgId) break;
        throw this.#conflict(actorId, firstVersion, head.version);
      }
      const headers = natsHeaders();
      headers.set(MSG_ID_HEADER, msgId);
      headers.set(OCC_HEADER, String(head.seq));
      headers.set(PREV_HEADER, encodeLinks(nextLinks(head.seq, head.links)));
      checkPayloadSize(
        this.#client.nc,
        { data, headers },
        {
          what: `The append of ${events.length} event(s) to actor ${JSON.stringify(actorId)}`,
          advice: "store less per event, or split the batch into several appends",
        },
      );
      let ack: PubAck;
      try {
        ack = await this.#client.publish(subject, data, {
          headers,
          timeoutMs: deadline.requestTimeout(this.#requestTimeoutMs),
        });
      } catch (thrown) {
        const error: unknown = await this.#whenGone(thrown, this.#requestTimeoutMs).catch(
          (checked: unknown) => checked,
        );
        if (isAetherError(error, "STREAM_NOT_FOUND")) throw error;
        if (isJetStreamApiError(error, JetStreamErrorCode.StreamWrongLastSequence)) {
          // Someone else appended (or the cached head was stale): the conflict, if it is one,
          // must carry the true current version, so read it rather than guess.
          head = await this.#reader.readHead(actorId, deadline);
          continue;
        }
        const failure =
          limitRefusal(error, { stream: this.streamName, operation }) ??
          toAetherError(error, operation);
        if (failure.code === AetherErrorCode.Timeout) outcomeUnknown = true;
        if (failure.retryable && (await deadline.backoff(attempt))) {
          this.#logger.debug(
            { actorId, version: firstVersion, attempt, code: failure.code },
            "append attempt failed; retrying with the same message id",
          );
          continue;
        }
        if (outcomeUnknown && failure.code !== AetherErrorCode.Timeout) {
          throw new AetherError(
            AetherErrorCode.Timeout,
            `${operation}: gave up after ${this.#timeoutMs} ms; an earlier attempt timed out, so the outcome is unknown`,
            { cause: failure, details: { actorId, firstVersion } },
          );
        }
        throw failure;
      }
      if (!ack.duplicate) {
        this.#cache.remember(actorId, {
          version: lastOf(events).version,
          seq: ack.seq,
          links: nextLinks(head.seq, head.links),
          msgId,
        });
        break;
      }
      // A duplicate is the earlier, timed-out attempt of this call landing, whose links the
      // cache cannot vouch for; without such an attempt it is another call's message id.
      if (outcomeUnknown) break;
      head = await this.#reader.readHead(actorId, deadline);
      msgId = nuid.next();
    }
    this.#reports.stored(events);
  }

  #conflict(actorId: string, attemptedVersion: number, currentVersion: number): Error {
    return this.#reports.conflict(actorId, attemptedVersion, currentVersion);
  }

  getLatestVersion(actorId: string): Promise<number> {
    return this.#reader.getLatestVersion(actorId);
  }

  readEvents(actorId: string, options: ReadEventsOptions = {}): AsyncIterable<Event> {
    return this.#reader.readEvents(actorId, options);
  }

  /**
   * The actor's events from `fromVersion` on. A stored message that is not part of the history
   * (undecodable, another actor's, a second claim on a version) is skipped and logged as a
   * warning, never returned; getEventsWithErrors reports them.
   */
  getEvents(actorId: string, fromVersion?: number): Promise<Event[]> {
    return this.#reader.getEvents(actorId, fromVersion);
  }

  /** Replays every message on the actor's subject, reporting each one that is not history. */
  getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult> {
    return this.#reader.getEventsWithErrors(actorId, fromVersion);
  }

  /**
   * Every event of the namespace in stream order, from the stream sequence `from` to the head as
   * it is then, through a pull consumer on the namespace stream. See the README, "Catch-up".
   */
  readAll(options: ReadAllOptions = {}): AsyncIterable<PositionedEvent> {
    return readAllOf(this.#log, options, this.#logger);
  }

  async getAllEventsWithErrors(options: ReadAllPageOptions = {}): Promise<AllEventsPage> {
    return readAllPageOf(this.#log, options);
  }

  subscribeAll(options: SubscribeAllOptions = {}): CatchUpSubscription {
    return new SourceSubscription(this.#log, options);
  }
}

/**
 * Creates a JetStreamEventStore and makes sure its stream exists, so that a missing JetStream or
 * a conflicting stream fails here rather than on the first append.
 */
export async function createJetStreamEventStore(
  nc: NatsConnection,
  options: JetStreamEventStoreOptions = {},
): Promise<JetStreamEventStore> {
  const store = new JetStreamEventStore(nc, options);
  await store.ensureStream();
  return store;
}
