import { MsgHdrsImpl } from "@nats-io/nats-core";
import { NODE_ID_HEADER } from "./wireFormat.js";

/**
 * The headers of every message a bus sends: only its node id, so they are encoded once. The NATS
 * client calls `encode()` on each publish, and re-encoding cost as much as the payload.
 */
export class NodeIdHeader extends MsgHdrsImpl {
  readonly #encoded: Uint8Array;

  constructor(nodeId: string) {
    super();
    this.set(NODE_ID_HEADER, nodeId);
    this.#encoded = super.encode();
  }

  override encode(): Uint8Array {
    return this.#encoded;
  }
}
