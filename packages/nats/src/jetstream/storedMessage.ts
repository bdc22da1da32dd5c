import type { Msg, MsgHdrs } from "@nats-io/nats-core";

/** One message of the event stream, whichever JetStream API delivered it. */
export interface StoredMessage {
  /** The stream sequence. */
  seq: number;
  subject: string;
  data: Uint8Array;
  header(name: string): string | undefined;
}

/** The `message` of a `$JS.API.STREAM.MSG.GET` response: headers and body base64-encoded. */
export interface MsgGetMessage {
  subject: string;
  seq: number;
  hdrs?: string;
  data?: string;
}

const NO_DATA = new Uint8Array(0);

// The raw header block is `NATS/1.0\r\nName: value\r\n…\r\n\r\n`; values never hold CR or LF.
function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

export function fromMsgGet(message: MsgGetMessage): StoredMessage {
  const headers =
    message.hdrs === undefined
      ? new Map<string, string>()
      : parseHeaderBlock(Buffer.from(message.hdrs, "base64").toString("utf8"));
  const data = message.data === undefined ? NO_DATA : Buffer.from(message.data, "base64");
  return {
    seq: message.seq,
    subject: message.subject,
    data,
    header: (name) => headers.get(name),
  };
}

function headerOf(headers: MsgHdrs | undefined): (name: string) => string | undefined {
  return (name) => {
    if (headers === undefined || !headers.has(name)) return undefined;
    return headers.get(name);
  };
}

/** A `$JS.API.DIRECT.GET` answer: the stored headers plus `Nats-Sequence` and `Nats-Subject`. */
export function fromDirectGet(msg: Msg): StoredMessage {
  const header = headerOf(msg.headers);
  return {
    seq: Number(header("Nats-Sequence")),
    subject: header("Nats-Subject") ?? "",
    data: msg.data,
    header,
  };
}

/**
 * A message a consumer delivered; its stream sequence travels in the reply subject. A class, not
 * a closure per message: long replays create one of these for every stored message.
 */
class Delivered implements StoredMessage {
  readonly seq: number;
  readonly #msg: Msg;

  constructor(msg: Msg, seq: number) {
    this.#msg = msg;
    this.seq = seq;
  }

  get subject(): string {
    return this.#msg.subject;
  }

  get data(): Uint8Array {
    return this.#msg.data;
  }

  header(name: string): string | undefined {
    const headers = this.#msg.headers;
    return headers?.has(name) === true ? headers.get(name) : undefined;
  }
}

export function fromDelivery(msg: Msg, seq: number): StoredMessage {
  return new Delivered(msg, seq);
}
