/** What one node answers to a request: the body, and the error code when it is a refusal. */
export interface TransportReply {
  readonly body: Uint8Array;
  /** Set when the body describes a failure; travels as a header on NATS. */
  readonly errorCode?: string;
}

/** Answers the requests for one shard on this node. */
export type ShardRequestHandler = (request: Uint8Array) => Promise<TransportReply>;

/** A shard this node answers for; `stop()` resolves once no new request can reach it. */
export interface ShardEndpoint {
  stop(): Promise<void>;
}

/**
 * How commands travel between the actor hosts of a cluster. A shard's endpoint is served only by
 * the node that serves the shard, so the transport itself routes a request to the owner; a request
 * nobody answers fails with a retryable `UNAVAILABLE`, one without a reply in time with `TIMEOUT`.
 * Implementations: `natsTransport(nc)` (NATS request/reply) and `InProcessTransport`.
 */
export interface ActorTransport {
  /** The largest request or reply body, in bytes, the transport carries. */
  readonly maxPayload: number;
  /** Starts answering requests for `shardId` on this node. */
  serve(shardId: number, handler: ShardRequestHandler): ShardEndpoint;
  /** Sends a request to whichever node serves `shardId` and waits at most `timeoutMs` for the reply. */
  request(shardId: number, body: Uint8Array, timeoutMs: number): Promise<TransportReply>;
}
