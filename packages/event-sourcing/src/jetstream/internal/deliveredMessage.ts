import type { StoredMessage } from "@aether/nats/jetstream";
import type { Msg } from "@nats-io/nats-core";

/**
 * A message a consumer delivered; its stream sequence travels in the reply subject. A class, not
 * a closure per message: a catch-up creates one of these for every stored message.
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

export function deliveredMessage(msg: Msg, seq: number): StoredMessage {
  return new Delivered(msg, seq);
}
