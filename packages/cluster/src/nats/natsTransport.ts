import { InboxRequester } from "@aether/nats";
import { headers, type Msg, type NatsConnection } from "@nats-io/nats-core";
import { ActorHostError } from "../actorHostError.js";
import type {
  ActorTransport,
  ShardEndpoint,
  ShardRequestHandler,
  TransportReply,
} from "../actorTransport.js";

export interface NatsTransportOptions {
  /**
   * Subjects are `<subjectPrefix>.<shardId>`. Two clusters on one NATS account need two prefixes.
   * @default "aether.actors"
   */
  subjectPrefix?: string;
}

/** The header that carries an owner's error code; its message and details are in the body. */
export const ERROR_CODE_HEADER = "Aether-Error-Code";

// One queue group, so a request reaches one subscriber even while an old owner's unsubscribe and
// the new owner's subscribe overlap; the old one then answers NOT_OWNER and the sender retries.
const QUEUE_GROUP = "aether-actor-host";
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

const isToken = (token: string) => /^[A-Za-z0-9_-]+$/.test(token);

/**
 * Commands over NATS request/reply: the node serving a shard subscribes to the shard's subject, so
 * NATS delivers a command to the owner; a subject with no subscriber fails fast (no responders).
 */
export function natsTransport(
  nc: NatsConnection,
  options: NatsTransportOptions = {},
): ActorTransport {
  const prefix = options.subjectPrefix ?? "aether.actors";
  if (!prefix.split(".").every(isToken)) {
    throw new ActorHostError(
      "INVALID_ARGUMENT",
      `natsTransport: subjectPrefix must be dot-separated tokens of [A-Za-z0-9_-], got ${JSON.stringify(prefix)}`,
    );
  }
  return new NatsTransport(nc, prefix);
}

class NatsTransport implements ActorTransport {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  // Not nc.request(): that builds an Error and arms a timer per call, on every routed command.
  readonly #requester: InboxRequester;

  constructor(nc: NatsConnection, prefix: string) {
    this.#nc = nc;
    this.#prefix = prefix;
    this.#requester = InboxRequester.for(nc);
  }

  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  serve(shardId: number, handler: ShardRequestHandler): ShardEndpoint {
    const subscription = this.#nc.subscribe(`${this.#prefix}.${shardId}`, {
      queue: QUEUE_GROUP,
      callback: (error, msg) => {
        if (error !== null) return;
        void handler(msg.data).then((reply) => respond(msg, reply));
      },
    });
    return {
      stop: async () => {
        if (subscription.isClosed()) return;
        subscription.unsubscribe();
        // Once the server has the unsubscribe, no new request for the shard can reach this node.
        if (!this.#nc.isClosed()) await this.#nc.flush().catch(() => undefined);
      },
    };
  }

  async request(shardId: number, body: Uint8Array, timeoutMs: number): Promise<TransportReply> {
    const subject = `${this.#prefix}.${shardId}`;
    let msg: Msg;
    try {
      msg = await this.#requester.request(subject, body, { timeoutMs });
    } catch (error) {
      throw requestFailure(error, { shardId, subject, timeoutMs });
    }
    const errorCode = msg.headers?.get(ERROR_CODE_HEADER);
    return errorCode === undefined || errorCode === ""
      ? { body: msg.data }
      : { body: msg.data, errorCode };
  }
}

function respond(msg: Msg, reply: TransportReply): void {
  if (reply.errorCode === undefined) {
    msg.respond(reply.body);
    return;
  }
  const h = headers();
  h.set(ERROR_CODE_HEADER, reply.errorCode);
  msg.respond(reply.body, { headers: h });
}

function requestFailure(
  error: unknown,
  details: { shardId: number; subject: string; timeoutMs: number },
): ActorHostError {
  const name = error instanceof Error ? error.name : "";
  const cause = error instanceof Error ? error.cause : undefined;
  const causeName = cause instanceof Error ? cause.name : "";
  const noResponders =
    name === "NoResponders" ||
    name === "NoRespondersError" ||
    causeName === "NoRespondersError" ||
    (error as { isNoResponders?: () => boolean }).isNoResponders?.() === true;
  if (noResponders) {
    return new ActorHostError(
      "UNAVAILABLE",
      `No node serves shard ${details.shardId} (no responders on ${details.subject})`,
      {
        cause: error,
        details: { ...details, reason: "no-responders" },
      },
    );
  }
  if (name === "TimeoutError" || causeName === "TimeoutError") {
    return new ActorHostError(
      "TIMEOUT",
      `No reply on ${details.subject} within ${details.timeoutMs} ms`,
      {
        cause: error,
        details,
      },
    );
  }
  if (name === "ClosedConnectionError" || causeName === "ClosedConnectionError") {
    return new ActorHostError("CLOSED", `The NATS connection is closed`, { cause: error, details });
  }
  return new ActorHostError(
    "UNAVAILABLE",
    `Request on ${details.subject} failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error, details },
  );
}
