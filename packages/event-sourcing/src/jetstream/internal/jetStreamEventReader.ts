import { parseActorId, type Event, type Logger } from "@aether/kernel";
import { Deadline, retrying, toAetherError } from "@aether/nats";
import {
  readSubject,
  readSubjectFromLeader,
  type StoredMessage,
  type StreamClient,
} from "@aether/nats/jetstream";
import { actorSubject } from "@aether/namespace/naming";
import type { ReadEventsOptions, ReplayError, ReplayResult } from "../../eventStore.js";
import { historyGapError } from "../../eventSourcingError.js";
import { checkFromVersion } from "../../internal/prepareAppend.js";
import type { EventStreamFacts } from "./client/eventStreamSetup.js";
import { flattenChunks } from "./client/flattenChunks.js";
import { decodeLinks, PREV_HEADER } from "./history/chainLinks.js";
import { walkChain, type ChainHead } from "./history/chainWalk.js";
import { decodeEvents } from "./history/eventCodec.js";
import { HistoryFold } from "./history/historyFold.js";
import type { HeadPosition, PositionCache } from "./history/positionCache.js";

/** Longest history read by following links; longer ones are streamed through a consumer. */
const CHAIN_READ_LIMIT = 1024;

export const MSG_ID_HEADER = "Nats-Msg-Id";

export function lastOf(events: readonly Event[]): Event {
  return events[events.length - 1]!;
}

export interface JetStreamEventReaderOptions {
  client: StreamClient;
  namespace: string;
  /** The stream's facts, once it is set up (the store's own ensureStream). */
  facts: () => Promise<EventStreamFacts>;
  /** Rethrows a failed call's error, as STREAM_NOT_FOUND when the stream turns out deleted. */
  whenGone: (error: unknown, timeoutMs: number) => Promise<never>;
  cache: PositionCache;
  logger: Logger;
  timeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The reading half of the JetStream event store: where an actor's history ends, and the history
 * itself, by following links back from the last message or by folding a consumer on the subject.
 */
export class JetStreamEventReader {
  readonly #client: StreamClient;
  readonly #namespace: string;
  readonly #facts: () => Promise<EventStreamFacts>;
  readonly #whenGone: (error: unknown, timeoutMs: number) => Promise<never>;
  readonly #cache: PositionCache;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #requestTimeoutMs: number;

  constructor(options: JetStreamEventReaderOptions) {
    this.#client = options.client;
    this.#namespace = options.namespace;
    this.#facts = options.facts;
    this.#whenGone = options.whenGone;
    this.#cache = options.cache;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs;
    this.#requestTimeoutMs = options.requestTimeoutMs;
  }

  async getLatestVersion(actorId: string): Promise<number> {
    const id = parseActorId(actorId);
    await this.#facts();
    return (await this.readHead(id, new Deadline(this.#timeoutMs))).version;
  }

  async #lastMessage(actorId: string, deadline: Deadline): Promise<StoredMessage | undefined> {
    const { directGets } = await this.#facts();
    const subject = actorSubject(this.#namespace, actorId);
    return retrying(
      { deadline, requestTimeoutMs: this.#requestTimeoutMs },
      `read the last event of actor ${JSON.stringify(actorId)}`,
      (timeoutMs) =>
        this.#client
          .lastMessage(subject, { timeoutMs, direct: directGets })
          .catch((error: unknown) => this.#whenGone(error, timeoutMs)),
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
  async readHead(actorId: string, deadline: Deadline): Promise<HeadPosition> {
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
    const { leaderReads } = await this.#facts();
    const read = leaderReads ? readSubjectFromLeader : readSubject;
    try {
      yield* read(this.#client, {
        subject: actorSubject(this.#namespace, actorId),
        startSeq: 1,
        budget: {
          deadline: new Deadline(this.#timeoutMs),
          requestTimeoutMs: this.#requestTimeoutMs,
        },
      });
    } catch (error) {
      throw toAetherError(
        await this.#whenGone(error, this.#requestTimeoutMs).catch((checked: unknown) => checked),
        operation,
      );
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
      if (error.missingVersions !== undefined) {
        const gap = historyGapError(id, error.missingVersions);
        this.#logger.error(
          { actorId: id, sequence: error.sequence, missingVersions: error.missingVersions },
          gap.message,
        );
        throw gap;
      }
      this.#logger.warn(
        { actorId: id, sequence: error.sequence, error: error.error },
        "skipped a stored message that is not part of the actor's history (see getEventsWithErrors)",
      );
    });
  }

  /**
   * The actor's events from `fromVersion` on. A stored message that is not part of the history
   * (undecodable, another actor's, a second claim on a version) is skipped and logged as a
   * warning, never returned; getEventsWithErrors reports them. A gap (versions once stored and
   * now missing) fails with HISTORY_GAP rather than return a shorter history.
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
}
