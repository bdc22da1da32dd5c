import { isRetryable, type Logger } from "@aether/kernel";
import type { Msg } from "@nats-io/nats-core";
import { Deadline, connectionInbox, retrying } from "@aether/nats";
import { fromDelivery, type StoredMessage, type StreamClient } from "@aether/nats/jetstream";

export interface NamespaceReadOptions {
  /** First stream sequence to deliver. */
  from: number;
  /** Keep following new messages after the head, until `signal` aborts. */
  live: boolean;
  signal: AbortSignal;
  /** Budget of one attempt to (re)create the consumer; a non-live read fails when it runs out. */
  timeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** Messages per pull; two pulls at most are requested and not yet taken. @default 256 */
  batch?: number;
}

export interface MessageChunk {
  messages: StoredMessage[];
  /** No message followed the last one when it was delivered. */
  atHead: boolean;
}

const HEARTBEAT_MS = 1_000;
// Two missed heartbeats and a margin: the server, the consumer or the connection is gone.
const SILENCE_MS = 3 * HEARTBEAT_MS;
const PULL_EXPIRES_MS = 30_000;
// A reader busy with its own work sends no pull for a while; its consumer must outlive that.
const INACTIVE_THRESHOLD_MS = 300_000;
const NS_PER_MS = 1_000_000;

/** The consumer this read rides on stopped answering as it should; a new one resumes the read. */
class ConsumerLost extends Error {
  override readonly name = "ConsumerLost";
}

interface Delivery {
  streamSeq: number;
  deliverySeq: number;
  pending: number;
}

// `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (nats-server 2.9), or the
// 2.10+ form with `<domain>.<account hash>` after ACK and a random token at the end. Read from
// the end without splitting: this runs for every message of a catch-up.
function parseDelivery(reply: string | undefined): Delivery | undefined {
  if (reply?.startsWith("$JS.ACK.") !== true) return undefined;
  let dots = 0;
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) dots++;
  // Tokens after `pending`: none in the 2.9 form (9 tokens), one random token in the 2.10+ form.
  let end = reply.length;
  if (dots >= 11) end = reply.lastIndexOf(".", end - 1);
  else if (dots !== 8 && dots !== 10) return undefined;
  const fields: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = reply.lastIndexOf(".", end - 1);
    fields.push(Number(reply.slice(start + 1, end)));
    end = start;
  }
  // fields, from the end: pending, timestamp, delivery sequence, stream sequence.
  return { streamSeq: fields[3]!, deliverySeq: fields[2]!, pending: fields[0]! };
}

/**
 * Reads a namespace's whole stream in sequence order from `from`, and with `live` goes on with
 * new messages as they are stored. It rides an ephemeral pull consumer (R1, in memory, no acks,
 * deliver from a start sequence) that this reader alone positions: the position is the last
 * sequence it handed out, so when the consumer is lost — a server restart, a gap in delivery
 * sequences, missed heartbeats — a new one starts right after it, with no gap and no repeat.
 * Pulls go out only as the caller takes what arrived (backpressure: at most two pulls, 512
 * messages, requested and not yet taken), and long-polling pulls stay open at the head, so live
 * messages arrive as soon as they are stored.
 */
export async function* readNamespace(
  client: StreamClient,
  options: NamespaceReadOptions,
): AsyncGenerator<MessageChunk> {
  const { signal } = options;
  let nextSeq = options.from;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      for await (const chunk of session(client, nextSeq, options)) {
        const last = chunk.messages[chunk.messages.length - 1];
        if (last !== undefined) nextSeq = last.seq + 1;
        yield chunk;
        attempt = 0;
        if (chunk.atHead && !options.live) return;
      }
      return;
    } catch (error) {
      const lost = error instanceof ConsumerLost;
      const retryable = lost || isRetryable(error);
      if (!retryable || (!options.live && !lost) || signal.aborted) throw error;
      options.logger.warn(
        { from: nextSeq, attempt, reason: (error as Error).message },
        "the namespace read lost its consumer; resuming on a new one",
      );
      const wait = Math.min(1000, 25 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function* session(
  client: StreamClient,
  from: number,
  options: NamespaceReadOptions,
): AsyncGenerator<MessageChunk> {
  const { nc, stream } = client;
  const { signal } = options;
  const batch = options.batch ?? 256;
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
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort, { once: true });
  // Resolves true when something arrived (or the read was aborted), false after silence.
  const nextArrival = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve(false);
      }, SILENCE_MS);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve(true);
      };
    });
  let consumer: string | undefined;
  try {
    const config = {
      ack_policy: "none",
      mem_storage: true,
      num_replicas: 1,
      replay_policy: "instant",
      inactive_threshold: INACTIVE_THRESHOLD_MS * NS_PER_MS,
      deliver_policy: "by_start_sequence",
      opt_start_seq: from,
    };
    // A retry after a lost answer may leave a consumer behind; inactive_threshold removes it.
    const info = await retrying(
      { deadline: new Deadline(options.timeoutMs), requestTimeoutMs: options.requestTimeoutMs },
      `create a consumer on ${stream}`,
      (timeoutMs) =>
        client.api<{ name: string; num_pending: number }>(
          `CONSUMER.CREATE.${stream}`,
          { stream_name: stream, config },
          timeoutMs,
        ),
    );
    consumer = info.name;
    if (info.num_pending === 0) yield { messages: [], atHead: true };
    const nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    const pull = JSON.stringify({
      batch,
      expires: PULL_EXPIRES_MS * NS_PER_MS,
      idle_heartbeat: HEARTBEAT_MS * NS_PER_MS,
    });
    // What each open pull may still deliver, oldest first: the server fills them in that order.
    const open: number[] = [];
    let outstanding = 0;
    let lastDeliverySeq = 0;
    while (!signal.aborted) {
      // A second pull goes out as soon as the caller has taken what arrived, so the server has
      // the next batch on the wire while the caller decodes this one: two pulls at most.
      if (outstanding <= batch) {
        open.push(batch);
        outstanding += batch;
        nc.publish(nextSubject, pull, { reply: inbox });
      }
      while (queue.length === 0) {
        if (failure !== undefined)
          throw new ConsumerLost(`subscription failed: ${failure.message}`);
        if (signal.aborted) return;
        if (!(await nextArrival())) {
          throw new ConsumerLost(`no message or heartbeat within ${SILENCE_MS} ms`);
        }
      }
      const arrived = queue;
      queue = [];
      const messages: StoredMessage[] = [];
      let atHead = false;
      for (const msg of arrived) {
        // Only status messages come without data; reading every message's headers decodes them.
        const status = msg.data.length === 0 ? (msg.headers?.code ?? 0) : 0;
        if (status !== 0) {
          if (status === 100) continue;
          if (status === 404 || status === 408) {
            // A pull expired: whatever it could still have delivered, it no longer will.
            outstanding -= open.shift() ?? 0;
            continue;
          }
          throw new ConsumerLost(
            `the consumer reported ${status} ${msg.headers?.description ?? ""}`,
          );
        }
        const delivery = parseDelivery(msg.reply);
        if (delivery === undefined) throw new ConsumerLost(`unexpected delivery on ${msg.subject}`);
        if (delivery.deliverySeq !== lastDeliverySeq + 1) {
          throw new ConsumerLost(
            `delivery ${delivery.deliverySeq} arrived after ${lastDeliverySeq}; messages were skipped`,
          );
        }
        lastDeliverySeq = delivery.deliverySeq;
        outstanding--;
        if (open[0] !== undefined && --open[0] === 0) open.shift();
        messages.push(fromDelivery(msg, delivery.streamSeq));
        atHead = delivery.pending === 0;
      }
      if (messages.length > 0 || atHead) yield { messages, atHead };
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    sub.unsubscribe();
    if (consumer !== undefined && !nc.isClosed()) {
      client
        .api(`CONSUMER.DELETE.${stream}.${consumer}`, undefined, options.requestTimeoutMs)
        .catch(() => undefined);
    }
  }
}
