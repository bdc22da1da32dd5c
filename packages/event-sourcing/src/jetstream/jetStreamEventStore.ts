import {
  AetherError,
  AetherErrorCode,
  parseActorId,
  type Clock,
  type Event,
  type Logger,
  type NewEvent,
  type DomainEventPublisher,
} from "@aether/kernel";
import { actorSubject, eventStreamName } from "@aether/namespace";
import { headers as natsHeaders, nuid, type NatsConnection } from "@nats-io/nats-core";
import type {
  AllEventsPage,
  CatchUpSubscription,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
  SubscribeAllOptions,
} from "../allEvents.js";
import type { EventStore, ReadEventsOptions, ReplayError, ReplayResult } from "../eventStore.js";
import { readAllOf, readAllPageOf, type LogSource } from "../internal/logSource.js";
import { SourceSubscription } from "../internal/sourceSubscription.js";
import { namespaceLogSource } from "./internal/namespaceLogSource.js";
import { checkFromVersion, prepareAppend } from "../internal/prepareAppend.js";
import { decodeLinks, encodeLinks, nextLinks, PREV_HEADER } from "./internal/chainLinks.js";
import { walkChain, type ChainHead } from "./internal/chainWalk.js";
import { Deadline } from "./internal/deadline.js";
import { decodeEvents, encodeEvents } from "./internal/eventCodec.js";
import { ensureEventStream, type EventStreamFacts } from "./internal/eventStreamSetup.js";
import { flattenChunks } from "./internal/flattenChunks.js";
import { HistoryFold } from "./internal/historyFold.js";
import { integerOption } from "./internal/integerOption.js";
import { JsErrorCode, isJsApiError } from "./internal/jsApiError.js";
import { checkPayloadSize } from "./internal/payloadLimit.js";
import { PositionCache, type HeadPosition } from "./internal/positionCache.js";
import { retrying } from "./internal/retrying.js";
import { StreamClient, type PubAck } from "./internal/streamClient.js";
import type { StoredMessage } from "./internal/storedMessage.js";
import { readSubject } from "./internal/subjectReader.js";
import { toAetherError } from "./internal/toAetherError.js";
import { storeContext, withNamespace } from "../internal/storeContext.js";
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

/** Longest history read by following links; longer ones are streamed through a consumer. */
const CHAIN_READ_LIMIT = 1024;

const OCC_HEADER = "Nats-Expected-Last-Subject-Sequence";
const MSG_ID_HEADER = "Nats-Msg-Id";

function lastOf(events: readonly Event[]): Event {
  return events[events.length - 1]!;
}

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
  readonly #duplicateWindowMs: number;
  readonly #timeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #log: LogSource;
  #ready: Promise<EventStreamFacts> | undefined;

  constructor(nc: NatsConnection, options?: JetStreamEventStoreOptions);
  constructor(
    nc: NatsConnection,
    namespace: string,
    options?: Omit<JetStreamEventStoreOptions, "namespace">,
  );
  constructor(
    nc: NatsConnection,
    namespaceOrOptions: string | JetStreamEventStoreOptions = {},
    moreOptions: JetStreamEventStoreOptions = {},
  ) {
    const options = withNamespace(namespaceOrOptions, moreOptions);
    const context = storeContext("JetStreamEventStore", options);
    this.namespace = context.namespace;
    this.streamName = eventStreamName(this.namespace);
    this.#client = new StreamClient(nc, this.streamName);
    this.#clock = context.clock;
    this.#logger = context.logger;
    this.#reports = context.reports;
    this.#replicas = integerOption("replicas", options.replicas, { fallback: 1, min: 1, max: 5 });
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
    await this.#facts();
  }

  #facts(): Promise<EventStreamFacts> {
    this.#ready ??= ensureEventStream(
      this.#client,
      {
        namespace: this.namespace,
        replicas: this.#replicas,
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
    if (head?.version !== firstVersion - 1) head = await this.#readHead(actorId, deadline);
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
      } catch (error) {
        if (isJsApiError(error, JsErrorCode.WrongLastSequence)) {
          // Someone else appended (or the cached head was stale): the conflict, if it is one,
          // must carry the true current version, so read it rather than guess.
          head = await this.#readHead(actorId, deadline);
          continue;
        }
        const failure = toAetherError(error, operation);
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
      head = await this.#readHead(actorId, deadline);
      msgId = nuid.next();
    }
    this.#reports.stored(events);
  }

  #conflict(actorId: string, attemptedVersion: number, currentVersion: number): Error {
    return this.#reports.conflict(actorId, attemptedVersion, currentVersion);
  }

  async getLatestVersion(actorId: string): Promise<number> {
    const id = parseActorId(actorId);
    await this.#facts();
    return (await this.#readHead(id, new Deadline(this.#timeoutMs))).version;
  }

  async #lastMessage(actorId: string, deadline: Deadline): Promise<StoredMessage | undefined> {
    const { directLastReads } = await this.#facts();
    const subject = actorSubject(this.namespace, actorId);
    return retrying(
      { deadline, requestTimeoutMs: this.#requestTimeoutMs },
      `read the last event of actor ${JSON.stringify(actorId)}`,
      (timeoutMs) => this.#client.lastMessage(subject, { timeoutMs, direct: directLastReads }),
    );
  }

  /** The actor's last message when the store wrote it and it decodes; undefined otherwise. */
  #asChainHead(message: StoredMessage, actorId: string): ChainHead | undefined {
    const links = decodeLinks(message.header(PREV_HEADER));
    if (links === undefined) return undefined;
    const decoded = decodeEvents(message.data, actorId);
    return decoded.ok ? { message, events: decoded.events, links } : undefined;
  }

  #positionOf(head: ChainHead): HeadPosition {
    const msgId = head.message.header(MSG_ID_HEADER);
    return {
      version: lastOf(head.events).version,
      seq: head.message.seq,
      links: head.links,
      ...(msgId === undefined ? {} : { msgId }),
    };
  }

  /**
   * Where the actor's history ends, in one round trip: its last message tells the version. When
   * that message was not written by the store (a raw publish, a corrupt entry), the version comes
   * from replaying the history instead, and the next append links to that message regardless,
   * since the server checks sequences, not versions.
   */
  async #readHead(actorId: string, deadline: Deadline): Promise<HeadPosition> {
    const last = await this.#lastMessage(actorId, deadline);
    if (last === undefined) return { version: 0, seq: 0, links: [] };
    const chainHead = this.#asChainHead(last, actorId);
    let head: HeadPosition;
    if (chainHead !== undefined) {
      head = this.#positionOf(chainHead);
    } else {
      this.#logger.warn(
        { actorId, sequence: last.seq },
        "the actor's last message was not written by this store or does not decode; replaying to find its version",
      );
      // From "version infinity": the fold tracks the latest version and keeps no event.
      const fold = new HistoryFold(actorId, Number.MAX_SAFE_INTEGER);
      const none: Event[] = [];
      for await (const chunk of this.#messages(actorId)) {
        for (const message of chunk) fold.add(message, none);
      }
      head = { version: fold.latestVersion, seq: last.seq, links: [] };
    }
    this.#cache.remember(actorId, head);
    return head;
  }

  async *#messages(actorId: string): AsyncGenerator<StoredMessage[]> {
    const operation = `read the history of actor ${JSON.stringify(actorId)}`;
    try {
      yield* readSubject(this.#client, {
        subject: actorSubject(this.namespace, actorId),
        startSeq: 1,
        budget: {
          deadline: new Deadline(this.#timeoutMs),
          requestTimeoutMs: this.#requestTimeoutMs,
        },
      });
    } catch (error) {
      throw toAetherError(error, operation);
    }
  }

  async *#fold(
    actorId: string,
    fromVersion: number,
    onError: (error: ReplayError) => void,
  ): AsyncGenerator<Event[]> {
    const fold = new HistoryFold(actorId, fromVersion);
    for await (const chunk of this.#messages(actorId)) {
      const events: Event[] = [];
      for (const message of chunk) {
        const error = fold.add(message, events);
        if (error !== undefined) onError(error);
      }
      if (events.length > 0) yield events;
    }
  }

  readEvents(actorId: string, options: ReadEventsOptions = {}): AsyncIterable<Event> {
    return flattenChunks(() => this.#eventChunks(actorId, options.fromVersion));
  }

  /**
   * The actor's history from `fromVersion` on, in chunks. Short histories follow the links back
   * from the last message; long ones, and any whose links are not intact, are folded from a
   * consumer on the subject. A stored message that is not part of the history is skipped and
   * logged, never returned.
   */
  async *#eventChunks(actorId: string, fromVersion: number | undefined): AsyncGenerator<Event[]> {
    const id = parseActorId(actorId);
    const from = checkFromVersion(fromVersion);
    const facts = await this.#facts();
    const deadline = new Deadline(this.#timeoutMs);
    const last = await this.#lastMessage(id, deadline);
    if (last === undefined) return;
    const head = facts.chainReads ? this.#asChainHead(last, id) : undefined;
    if (head !== undefined) {
      const latest = lastOf(head.events).version;
      this.#cache.remember(id, this.#positionOf(head));
      if (latest < from) return;
      if (latest - from < CHAIN_READ_LIMIT) {
        const events = await walkChain(this.#client, head, {
          actorId: id,
          fromVersion: from,
          requestTimeoutMs: deadline.requestTimeout(this.#requestTimeoutMs),
          directGets: facts.directGets,
        }).catch((error: unknown) => {
          throw toAetherError(error, `read the history of actor ${JSON.stringify(id)}`);
        });
        if (events !== undefined) {
          yield events;
          return;
        }
        this.#logger.debug(
          { actorId: id },
          "the actor's links are not intact; replaying its subject",
        );
      }
    }
    yield* this.#fold(id, from, (error) => {
      this.#logger.warn(
        { actorId: id, sequence: error.sequence, error: error.error },
        "skipped a stored message that is not part of the actor's history (see getEventsWithErrors)",
      );
    });
  }

  /**
   * The actor's events from `fromVersion` on. A stored message that is not part of the history
   * (undecodable, another actor's, a second claim on a version) is skipped and logged as a
   * warning, never returned; getEventsWithErrors reports them.
   */
  async getEvents(actorId: string, fromVersion?: number): Promise<Event[]> {
    const events: Event[] = [];
    for await (const chunk of this.#eventChunks(actorId, fromVersion)) events.push(...chunk);
    return events;
  }

  /** Replays every message on the actor's subject, reporting each one that is not history. */
  async getEventsWithErrors(actorId: string, fromVersion?: number): Promise<ReplayResult> {
    const id = parseActorId(actorId);
    const from = checkFromVersion(fromVersion);
    await this.#facts();
    const result: ReplayResult = { events: [], errors: [] };
    for await (const events of this.#fold(id, from, (error) => result.errors.push(error))) {
      result.events.push(...events);
    }
    return result;
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
