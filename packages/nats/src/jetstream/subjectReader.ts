import { AetherError, AetherErrorCode } from "@aether/kernel";
import type { Msg } from "@nats-io/nats-core";
import { connectionInbox } from "../inboxRequester.js";
import { retrying, type RetryBudget } from "../retrying.js";
import type { StreamClient } from "./streamClient.js";
import { fromDelivery, type StoredMessage } from "./storedMessage.js";

/** What readSubject reads, and how long it may wait. */
export interface SubjectReadOptions {
  subject: string;
  /** First stream sequence to look at; 1 reads from the beginning. */
  startSeq: number;
  /**
   * Creating the consumer retries within this budget (a cluster may be electing a leader); each
   * batch must then arrive within its `requestTimeoutMs`.
   */
  budget: RetryBudget;
  /** Messages per pull. @default 1024 */
  batch?: number;
}

interface Delivery {
  streamSeq: number;
  deliverySeq: number;
  pending: number;
}

// `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (nats-server 2.9), or the
// 2.10+ form with `<domain>.<account hash>` after ACK and a random token at the end.
function parseDelivery(reply: string | undefined): Delivery | undefined {
  const tokens = reply?.split(".") ?? [];
  const base = tokens.length === 9 ? 2 : tokens.length >= 11 ? 4 : -1;
  if (base < 0 || tokens[0] !== "$JS" || tokens[1] !== "ACK") return undefined;
  return {
    streamSeq: Number(tokens[base + 3]),
    deliverySeq: Number(tokens[base + 4]),
    pending: Number(tokens[base + 6]),
  };
}

function unavailable(message: string): AetherError {
  return new AetherError(AetherErrorCode.Unavailable, `read of the event stream: ${message}`);
}

/**
 * Streams every message on one subject in stream order through an ephemeral pull consumer (R1,
 * in memory, no acks), as an ordered consumer would, but with backpressure: a batch is pulled
 * only while the reader keeps up, so about two batches at most are held in memory however long
 * the history is. Messages come in chunks (whatever arrived together), which keeps the per-message
 * cost of async iteration off long replays. A gap in delivery sequences, a deleted consumer or a
 * silent server ends the read with a retryable error rather than a partial history.
 */
export async function* readSubject(
  client: StreamClient,
  options: SubjectReadOptions,
): AsyncGenerator<StoredMessage[]> {
  const batchSize = options.batch ?? 1024;
  const { nc, stream } = client;
  let queue: Msg[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const inbox = connectionInbox(nc);
  const sub = nc.subscribe(inbox, {
    callback: (error, msg) => {
      if (error !== null) failure = error;
      else queue.push(msg);
      wake?.();
    },
  });
  const nextDelivery = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = undefined;
        reject(
          new AetherError(
            AetherErrorCode.Timeout,
            `read of the event stream: no delivery within ${options.budget.requestTimeoutMs} ms`,
          ),
        );
      }, options.budget.requestTimeoutMs);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  let consumer: string | undefined;
  try {
    const config = {
      ack_policy: "none",
      filter_subject: options.subject,
      mem_storage: true,
      num_replicas: 1,
      replay_policy: "instant",
      // A reader that dies without cleaning up leaves nothing behind for long.
      inactive_threshold: 30_000_000_000,
      ...(options.startSeq > 1
        ? { deliver_policy: "by_start_sequence", opt_start_seq: options.startSeq }
        : { deliver_policy: "all" }),
    };
    // A retry after a lost answer may leave a consumer behind; inactive_threshold removes it.
    const info = await retrying(options.budget, `create a consumer on ${stream}`, (timeoutMs) =>
      client.api<{ name: string; num_pending: number }>(
        `CONSUMER.CREATE.${stream}`,
        { stream_name: stream, config },
        timeoutMs,
      ),
    );
    consumer = info.name;
    const nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    // `pending`: messages the server has yet to deliver; `outstanding`: those already asked for.
    let pending = info.num_pending;
    let outstanding = 0;
    let lastDeliverySeq = 0;
    for (;;) {
      const unrequested = pending - outstanding;
      // The next pull goes out while the previous one is half delivered, so the server never
      // idles, but only once the reader has taken what arrived.
      if (unrequested > 0 && outstanding <= batchSize / 2) {
        const size = Math.min(batchSize, unrequested);
        outstanding += size;
        nc.publish(nextSubject, JSON.stringify({ batch: size, no_wait: true }), { reply: inbox });
      }
      if (pending === 0) return;
      while (queue.length === 0) {
        if (failure !== undefined) throw failure;
        await nextDelivery();
      }
      const arrived = queue;
      queue = [];
      const chunk: StoredMessage[] = [];
      for (const msg of arrived) {
        // Only status messages come without data; reading every message's headers decodes them.
        const status = msg.data.length === 0 ? (msg.headers?.code ?? 0) : 0;
        if (status !== 0) {
          // 404/408: a pull found fewer messages than it asked for, so the subject is read to
          // the end; 100 is a heartbeat.
          if (status === 404 || status === 408) {
            outstanding = 0;
            pending = 0;
          } else if (status !== 100) {
            throw unavailable(`the consumer reported ${status} ${msg.headers?.description ?? ""}`);
          }
          continue;
        }
        const delivery = parseDelivery(msg.reply);
        if (delivery === undefined) throw unavailable(`unexpected delivery on ${msg.subject}`);
        if (delivery.deliverySeq !== lastDeliverySeq + 1) {
          throw unavailable(
            `delivery ${delivery.deliverySeq} arrived after ${lastDeliverySeq}; messages were skipped`,
          );
        }
        lastDeliverySeq = delivery.deliverySeq;
        pending = delivery.pending;
        outstanding = Math.max(0, outstanding - 1);
        chunk.push(fromDelivery(msg, delivery.streamSeq));
      }
      if (chunk.length > 0) yield chunk;
    }
  } finally {
    sub.unsubscribe();
    if (consumer !== undefined) {
      client
        .api(`CONSUMER.DELETE.${stream}.${consumer}`, undefined, options.budget.requestTimeoutMs)
        .catch(() => undefined);
    }
  }
}
