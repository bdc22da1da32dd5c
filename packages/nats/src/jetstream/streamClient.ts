import { JetStreamApiError, type ApiError } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { InboxRequester } from "../inboxRequester.js";
import { JetStreamErrorCode, isJetStreamApiError } from "./jetStreamApiError.js";
import {
  fromDirectGet,
  fromMsgGet,
  type MsgGetMessage,
  type StoredMessage,
} from "./storedMessage.js";

const decoder = new TextDecoder();
const API = "$JS.API";

/** What JetStream acknowledged for one publish. */
export interface PubAck {
  seq: number;
  duplicate: boolean;
}

function parseJson<T>(data: Uint8Array): T {
  const body = JSON.parse(decoder.decode(data)) as T & { error?: ApiError };
  if (body.error !== undefined) throw new JetStreamApiError(body.error);
  return body;
}

/**
 * The JetStream calls the stores make on one stream, spoken directly over core NATS requests:
 * the hot paths (publish, get last, get by sequence) skip the generic client's layers, and every
 * JetStream refusal surfaces as nats.js's `JetStreamApiError` with its numeric code. Transport
 * failures are thrown as errors named like nats.js's; callers map them with toAetherError.
 */
export class StreamClient {
  readonly nc: NatsConnection;
  readonly stream: string;
  readonly #requester: InboxRequester;

  constructor(nc: NatsConnection, stream: string) {
    this.nc = nc;
    this.stream = stream;
    this.#requester = InboxRequester.for(nc);
  }

  /** A JetStream API request: JSON in, JSON out. */
  async api<T>(subject: string, body: unknown, timeoutMs: number): Promise<T> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    const reply = await this.#requester.request(`${API}.${subject}`, payload, { timeoutMs });
    return parseJson<T>(reply.data);
  }

  async publish(
    subject: string,
    data: Uint8Array,
    options: { headers: MsgHdrs; timeoutMs: number },
  ): Promise<PubAck> {
    const reply = await this.#requester.request(subject, data, options);
    const ack = parseJson<{ seq?: number; duplicate?: boolean }>(reply.data);
    if (typeof ack.seq !== "number") {
      throw new JetStreamApiError({
        code: 500,
        err_code: 0,
        description: "the publish ack carries no sequence",
      });
    }
    return { seq: ack.seq, duplicate: ack.duplicate === true };
  }

  /**
   * The last message on `subject`. `direct` may only be set where any replica that answers is
   * current (an R1 stream): it skips the JSON and base64 envelope of the leader's API.
   */
  async lastMessage(
    subject: string,
    options: { timeoutMs: number; direct: boolean },
  ): Promise<StoredMessage | undefined> {
    if (!options.direct) return this.#msgGet({ last_by_subj: subject }, options.timeoutMs);
    return this.#directGet(`${API}.DIRECT.GET.${this.stream}.${subject}`, "", options.timeoutMs);
  }

  /**
   * The message at `seq`. `direct` asks any replica (`allow_direct`), which is faster and fine for
   * a message known to exist, since stored messages never change; a replica that has not caught
   * up yet answers "not found", and the leader is asked instead.
   */
  async messageAt(
    seq: number,
    timeoutMs: number,
    direct: boolean,
  ): Promise<StoredMessage | undefined> {
    if (direct) {
      const message = await this.#directGet(
        `${API}.DIRECT.GET.${this.stream}`,
        `{"seq":${seq}}`,
        timeoutMs,
      );
      if (message !== undefined) return message;
    }
    return this.#msgGet({ seq }, timeoutMs);
  }

  /**
   * The first message on `subject` at or after `seq`, or undefined when there is none. Asked of
   * the stream leader (`STREAM.MSG.GET` with `next_by_subj`), never of another replica, so on a
   * replicated stream two reads cannot disagree because different replicas answered them.
   */
  nextMessage(subject: string, seq: number, timeoutMs: number): Promise<StoredMessage | undefined> {
    return this.#msgGet({ seq, next_by_subj: subject }, timeoutMs);
  }

  /** A `$JS.API.DIRECT.GET` request: the message itself, headers and all, or undefined for 404. */
  async #directGet(
    subject: string,
    payload: string,
    timeoutMs: number,
  ): Promise<StoredMessage | undefined> {
    const reply = await this.#requester.request(subject, payload, { timeoutMs });
    const status = reply.headers?.code ?? 0;
    if (status === 0) return fromDirectGet(reply);
    if (status === 404) return undefined;
    throw new JetStreamApiError({
      code: status,
      err_code: 0,
      description: reply.headers?.description ?? "",
    });
  }

  async #msgGet(query: object, timeoutMs: number): Promise<StoredMessage | undefined> {
    try {
      const reply = await this.api<{ message: MsgGetMessage }>(
        `STREAM.MSG.GET.${this.stream}`,
        query,
        timeoutMs,
      );
      return fromMsgGet(reply.message);
    } catch (error) {
      if (isJetStreamApiError(error, JetStreamErrorCode.NoMessageFound)) return undefined;
      throw error;
    }
  }
}
