import {
  AetherError,
  AetherErrorCode,
  createId,
  systemClock,
  type Event,
  type Logger,
} from "@aether/kernel";
import { checkPayloadSize, integerOption } from "@aether/nats";
import { busSubject, busSubjectForPattern } from "@aether/namespace/naming";
import type {
  Msg,
  NatsConnection,
  PublishOptions,
  Status,
  Subscription as NatsSubscription,
} from "@nats-io/nats-core";
import { EventBus, busDispatcher, type EventBusOptions } from "../eventBus.js";
import type { Dispatcher, PatternGroup } from "../internal/dispatcher.js";
import { RateLimiter } from "../internal/rateLimiter.js";
import { LoopStallWatch } from "./loopStallWatch.js";
import { OwnHeaders } from "./ownHeaders.js";
import { PendingEchoes } from "./pendingEchoes.js";
import { ECHO_HEADER, NODE_ID_HEADER, decodeEvent, encodeEvent } from "./wireFormat.js";

export interface NatsEventBusOptions extends EventBusOptions {
  /**
   * Names this node on the wire; every bus needs its own, since a bus ignores events carrying its
   * own id. Printable ASCII without spaces.
   * @default a fresh UUIDv7
   */
  nodeId?: string;
  /**
   * While the connection is down the NATS client queues publishes in memory and sends them on
   * reconnect; past this many bytes the bus stops handing it events (they still reach local
   * subscribers) and counts them as `unsent`.
   * @default 8 MiB
   */
  maxBufferedBytesWhileDisconnected?: number;
}

/** Counters of one NatsEventBus, for health checks and tests. */
export interface NatsEventBusStats {
  /** False between a disconnect and the reconnect that follows it, and once the connection is closed. */
  connected: boolean;
  /** Events handed to the NATS client for other nodes. */
  sent: number;
  /** Events not handed to NATS: connection closed, or over the disconnected budget. */
  unsent: number;
  /** Events from other nodes delivered locally (once per local pattern that matched). */
  received: number;
  /** Messages on bus subjects that were not a valid event or namespace; logged, then skipped. */
  undecodable: number;
  /**
   * Disconnects that came right after this process stopped reading for a while (its event loop
   * stalled): most likely the server cut the connection as a slow consumer, and events from other
   * nodes were lost meanwhile. See the README ("Slow consumers").
   */
  slowConsumerDisconnects: number;
}

/** This bus's NATS subscription for one local pattern. */
interface Listener {
  subscription?: NatsSubscription;
  /**
   * This bus's own publishes that the server will echo back on this subscription. While there is
   * none, no message here can be this node's own, so reading its headers (which costs as much as
   * parsing the event) is skipped.
   */
  echoes: PendingEchoes;
}

const NODE_ID = /^[\x21-\x7e]{1,256}$/;
// busSubject(namespace) is a fixed prefix + the namespace unchanged, so the namespace of a message
// is what follows the prefix.
const SUBJECT_PREFIX = busSubject("x").slice(0, -1);
// Past this many namespaces the subject cache starts over rather than grow unbounded.
const MAX_CACHED_SUBJECTS = 10_000;

function resolveNodeId(nodeId: unknown): string {
  if (typeof nodeId !== "string" || !NODE_ID.test(nodeId)) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `nodeId must be 1 to 256 printable ASCII characters without spaces, got ${JSON.stringify(nodeId)}`,
      { details: { nodeId } },
    );
  }
  return nodeId;
}

/**
 * The event bus across nodes. A publish is delivered to local subscribers at once and sent once to
 * NATS on `aether.bus.<namespace>` with this node's id in a header; the bus listens on NATS once
 * per distinct local pattern, so the server only forwards namespaces someone here wants, and
 * delivers what other nodes publish to the local subscriptions of that pattern. Core NATS is
 * at-most-once: see the README for what a disconnect loses.
 */
export class NatsEventBus extends EventBus {
  readonly connection: NatsConnection;
  readonly #dispatcher: Dispatcher;
  readonly #logger: Logger;
  readonly #publishOptions: PublishOptions & { headers: OwnHeaders };
  readonly #listeners = new Map<PatternGroup, Listener>();
  readonly #ownEventsComeBack: boolean;
  readonly #subjects = new Map<string, string>();
  readonly #status: AsyncIterable<Status>;
  readonly #maxBufferedWhileDisconnected: number;
  readonly #sendFailureLog: RateLimiter;
  readonly #undecodableLog: RateLimiter;
  #connected = true;
  #bufferedWhileDisconnected = 0;
  #sent = 0;
  #unsent = 0;
  #received = 0;
  #undecodable = 0;
  #slowConsumerDisconnects = 0;
  readonly #stalls = new LoopStallWatch();
  #closing: Promise<void> | undefined;

  constructor(connection: NatsConnection, options: NatsEventBusOptions = {}) {
    const nodeId = resolveNodeId(options.nodeId ?? createId());
    super({ ...options, nodeId });
    if (typeof connection?.publish !== "function" || typeof connection.subscribe !== "function") {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        "NatsEventBus needs a NatsConnection, e.g. from connect() of @nats-io/transport-node",
      );
    }
    this.connection = connection;
    // `options` is not on the NatsConnection interface but the client has it; without it, assume
    // the default (echo on), which is only slower, never wrong.
    const connectionOptions = (connection as { options?: { noEcho?: boolean } }).options;
    this.#ownEventsComeBack = connectionOptions?.noEcho !== true;
    this.#dispatcher = busDispatcher(this);
    this.#logger = this.#dispatcher.logger.child({ transport: "nats" });
    // One options object for every publish: the headers object encodes each message's own mark.
    this.#publishOptions = { headers: new OwnHeaders(this.nodeId, createId()) };
    this.#maxBufferedWhileDisconnected = integerOption(
      "maxBufferedBytesWhileDisconnected",
      options.maxBufferedBytesWhileDisconnected,
      { fallback: 8 * 1024 * 1024, min: 0 },
    );
    const clock = options.clock ?? systemClock;
    const logIntervalMs = options.logIntervalMs ?? 10_000;
    this.#sendFailureLog = new RateLimiter(clock, logIntervalMs);
    this.#undecodableLog = new RateLimiter(clock, logIntervalMs);
    this.#dispatcher.listener = {
      added: (group) => this.#listen(group),
      removed: (group) => this.#stopListening(group),
    };
    this.#status = connection.status();
    void this.#watchConnection();
  }

  /**
   * Delivers to local subscribers at once, then sends the event to other nodes. Throws, before
   * delivering anywhere, for a bad namespace (`INVALID_NAMESPACE`), an event that breaks the
   * kernel's event schema or JSON rule (`INVALID_EVENT`, as the stores do) or one larger than the
   * server's max_payload (`PAYLOAD_TOO_LARGE`); never because of a slow subscriber or a lost
   * connection.
   */
  override publish(namespace: string, event: Event): void {
    const dispatcher = this.#dispatcher;
    const route = dispatcher.routeFor(namespace);
    const payload = encodeEvent(event);
    const headers = this.#publishOptions.headers;
    // Marked before the size check, so the check counts this message's own headers.
    const sequence = this.#ownEventsComeBack ? headers.next() : 0;
    checkPayloadSize(
      this.connection,
      { data: payload, headers },
      { what: `Event ${event.id}`, advice: "store less per event" },
    );
    dispatcher.deliver(route.subscriptions, event);
    dispatcher.reportPublished(namespace, event, this.nodeId);
    if (!this.#send(this.#subjectFor(namespace), payload) || !this.#ownEventsComeBack) return;
    const groups = route.groups;
    for (let i = 0; i < groups.length; i++) {
      this.#listeners.get(groups[i]!)?.echoes.add(sequence);
    }
  }

  /**
   * Resolves once the NATS server has processed every subscription and publish of this bus so
   * far: after it, another node's publish reaches the subscriptions made before it. Rejects with
   * `UNAVAILABLE` when the connection fails or is closed.
   */
  async flush(): Promise<void> {
    try {
      await this.connection.flush();
    } catch (error) {
      throw new AetherError(AetherErrorCode.Unavailable, "NATS flush failed", { cause: error });
    }
  }

  stats(): NatsEventBusStats {
    return {
      connected: this.#connected && !this.connection.isClosed(),
      sent: this.#sent,
      unsent: this.#unsent,
      received: this.#received,
      undecodable: this.#undecodable,
      slowConsumerDisconnects: this.#slowConsumerDisconnects,
    };
  }

  /**
   * Stops listening on NATS and ends every local subscription. The connection stays open: it
   * belongs to the caller, who drains it (`await nc.drain()`) to be sure every event sent has left.
   */
  override close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#dispatcher.listener = undefined;
    this.#stalls.stop();
    for (const listener of this.#listeners.values()) this.#unsubscribeQuietly(listener);
    this.#listeners.clear();
    (this.#status as { stop?: () => void }).stop?.();
    await super.close();
  }

  /** True when the NATS client took the message. */
  #send(subject: string, payload: Uint8Array): boolean {
    if (!this.#connected) {
      const buffered = this.#bufferedWhileDisconnected + payload.length;
      if (buffered > this.#maxBufferedWhileDisconnected) {
        this.#sendFailed(subject, "disconnected and the reconnect buffer budget is used up");
        return false;
      }
      this.#bufferedWhileDisconnected = buffered;
    }
    try {
      this.connection.publish(subject, payload, this.#publishOptions);
    } catch (error) {
      this.#sendFailed(subject, error);
      return false;
    }
    this.#sent++;
    return true;
  }

  /**
   * Cached: a subject built per publish is a fresh concatenation, which the client's subject check
   * then has to flatten every time.
   */
  #subjectFor(namespace: string): string {
    let subject = this.#subjects.get(namespace);
    if (subject === undefined) {
      if (this.#subjects.size >= MAX_CACHED_SUBJECTS) this.#subjects.clear();
      subject = busSubject(namespace);
      this.#subjects.set(namespace, subject);
    }
    return subject;
  }

  #sendFailed(subject: string, reason: unknown): void {
    this.#unsent++;
    const suppressed = this.#sendFailureLog.hit();
    if (suppressed === undefined) return;
    this.#logger.warn(
      { subject, err: reason, unsent: this.#unsent, unsentSinceLastWarning: suppressed + 1 },
      "event delivered locally but not sent to other nodes",
    );
  }

  #listen(group: PatternGroup): void {
    try {
      const listener: Listener = { echoes: new PendingEchoes() };
      listener.subscription = this.connection.subscribe(busSubjectForPattern(group.pattern), {
        callback: (error, message) => {
          if (error === null) this.#receive(group, listener, message);
          else
            this.#logger.error({ err: error, pattern: group.pattern }, "NATS subscription failed");
        },
      });
      this.#listeners.set(group, listener);
    } catch (error) {
      this.#logger.error(
        { err: error, pattern: group.pattern },
        "cannot listen on NATS; this pattern receives local events only",
      );
    }
  }

  #stopListening(group: PatternGroup): void {
    const listener = this.#listeners.get(group);
    if (listener === undefined) return;
    this.#listeners.delete(group);
    this.#unsubscribeQuietly(listener);
  }

  #unsubscribeQuietly(listener: Listener): void {
    try {
      listener.subscription?.unsubscribe();
    } catch (error) {
      this.#logger.debug({ err: error }, "NATS unsubscribe failed (connection already closed)");
    }
  }

  #receive(group: PatternGroup, listener: Listener, message: Msg): void {
    let origin: string | undefined;
    if (listener.echoes.size > 0 || this.#dispatcher.reportsPublished) {
      const headers = message.headers;
      origin = headers?.get(NODE_ID_HEADER);
      // This node delivered its own event locally when it published it. Only the echo mark proves
      // a message is its own: anyone can send its node id.
      if (
        origin === this.nodeId &&
        listener.echoes.consume(this.#publishOptions.headers.sequenceOf(headers?.get(ECHO_HEADER)))
      ) {
        return;
      }
    }
    const subscriptions = group.subscriptions;
    if (subscriptions.length === 0) return;
    // An exact pattern is its own namespace, already validated: skip decoding the subject.
    let namespace = group.pattern;
    if (group.matcher.isWildcard) {
      namespace = message.subject.slice(SUBJECT_PREFIX.length);
      if (!this.#dispatcher.accepts(namespace)) {
        this.#rejected(message, "the subject does not carry a valid, unreserved namespace");
        return;
      }
    }
    let event: Event;
    try {
      event = decodeEvent(message.data);
    } catch (error) {
      this.#rejected(message, error);
      return;
    }
    this.#received++;
    this.#dispatcher.deliver(subscriptions, event);
    this.#dispatcher.reportPublished(namespace, event, origin);
  }

  #rejected(message: Msg, reason: unknown): void {
    this.#undecodable++;
    const suppressed = this.#undecodableLog.hit();
    if (suppressed === undefined) return;
    this.#logger.warn(
      {
        subject: message.subject,
        err: reason,
        undecodable: this.#undecodable,
        skippedSinceLastWarning: suppressed + 1,
      },
      "skipped a bus message that is not a valid event",
    );
  }

  async #watchConnection(): Promise<void> {
    try {
      for await (const status of this.#status) {
        if (status.type === "disconnect") {
          this.#connected = false;
          this.#bufferedWhileDisconnected = 0;
          // A server-side slow-consumer cut sends no reason, only a closed socket; a stall of
          // this process just before is what tells it from a server restart or a network fault.
          const stalledMs = this.#stalls.recentStallMs({ minMs: 500, withinMs: 5_000 });
          if (stalledMs > 0) {
            this.#slowConsumerDisconnects++;
            this.#logger.warn(
              {
                server: status.server,
                stalledMs,
                slowConsumerDisconnects: this.#slowConsumerDisconnects,
              },
              `NATS disconnected right after this process stopped reading for ${stalledMs} ms: most likely the server cut it as a slow consumer. Events from other nodes are lost until it reconnects; keep the event loop free (move long synchronous work off it) or raise the server's max_pending / write_deadline`,
            );
            continue;
          }
          this.#logger.warn(
            { server: status.server },
            "NATS disconnected: events from other nodes are missed until it reconnects",
          );
        } else if (status.type === "reconnect") {
          this.#connected = true;
          this.#logger.info({ server: status.server }, "NATS reconnected");
        }
      }
    } catch (error) {
      this.#logger.error({ err: error }, "NATS status stream failed");
    }
  }
}
