import { MsgHdrsImpl } from "@nats-io/nats-core";
import { Utf8Pool } from "../internal/utf8Pool.js";
import { ECHO_HEADER, NODE_ID_HEADER } from "./wireFormat.js";

const pool = new Utf8Pool();
const decoder = new TextDecoder();
const PLACEHOLDER = "0";

/**
 * The headers of every message a bus sends: its node id, and `Aether-Echo: <nonce>.<n>`, where the
 * nonce is random per bus and n counts its publishes, so the bus recognises its own messages
 * coming back by a mark no other sender can predict. The NATS client calls `encode()` once per
 * publish; building the bytes from a template costs a fraction of what re-encoding the headers
 * would.
 */
export class OwnHeaders extends MsgHdrsImpl {
  /** `<nonce>.`: an echo header starting with it is this bus's own. */
  readonly echoPrefix: string;
  readonly #before: string;
  readonly #after: string;
  #sequence = 0;
  #encoded: Uint8Array;

  constructor(nodeId: string, nonce: string) {
    super();
    this.echoPrefix = `${nonce}.`;
    this.set(NODE_ID_HEADER, nodeId);
    this.set(ECHO_HEADER, this.echoPrefix + PLACEHOLDER);
    this.#encoded = super.encode();
    const text = decoder.decode(this.#encoded);
    const at = text.lastIndexOf(this.echoPrefix + PLACEHOLDER) + this.echoPrefix.length;
    this.#before = text.slice(0, at);
    this.#after = text.slice(at + PLACEHOLDER.length);
  }

  /** Marks the next message; returns its number. */
  next(): number {
    const sequence = ++this.#sequence;
    this.#encoded = pool.encode(this.#before + sequence + this.#after);
    return sequence;
  }

  /** The publish number in an echo header, when the header is this bus's own. */
  sequenceOf(echo: string | undefined): number | undefined {
    if (echo === undefined || !echo.startsWith(this.echoPrefix)) return undefined;
    const sequence = Number(echo.slice(this.echoPrefix.length));
    return Number.isSafeInteger(sequence) ? sequence : undefined;
  }

  override encode(): Uint8Array {
    return this.#encoded;
  }
}
