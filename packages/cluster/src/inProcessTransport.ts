import { ActorHostError } from "./actorHostError.js";
import { systemScheduler, type Scheduler } from "./scheduler.js";
import type {
  ActorTransport,
  ShardEndpoint,
  ShardRequestHandler,
  TransportReply,
} from "./actorTransport.js";

export interface InProcessTransportOptions {
  /**
   * The largest request or reply body in bytes, as NATS' `max_payload` would limit it, so a
   * single-process setup refuses the same commands a NATS one would.
   * @default 1 MiB (nats-server's default)
   */
  maxPayload?: number;
  /** Times the reply waits; a simulation passes its virtual one. @default systemScheduler */
  scheduler?: Scheduler;
}

/**
 * Carries commands between the actor hosts of one process, e.g. the nodes of a simulation or an
 * embedded demo. Share one instance among the hosts of one cluster (two clusters need two).
 */
export class InProcessTransport implements ActorTransport {
  readonly maxPayload: number;
  readonly #scheduler: Scheduler;
  // Several handlers only while an old owner's endpoint is stopping; it then answers NOT_OWNER.
  readonly #handlers = new Map<number, ShardRequestHandler[]>();

  constructor(options: InProcessTransportOptions = {}) {
    const maxPayload = options.maxPayload ?? 1024 * 1024;
    if (!Number.isInteger(maxPayload) || maxPayload < 1) {
      throw new ActorHostError(
        "INVALID_ARGUMENT",
        `InProcessTransport: maxPayload must be a positive integer, got ${maxPayload}`,
      );
    }
    this.maxPayload = maxPayload;
    this.#scheduler = options.scheduler ?? systemScheduler;
  }

  serve(shardId: number, handler: ShardRequestHandler): ShardEndpoint {
    const handlers = this.#handlers.get(shardId) ?? [];
    handlers.push(handler);
    this.#handlers.set(shardId, handlers);
    let stopped = false;
    return {
      stop: () => {
        if (stopped) return Promise.resolve();
        stopped = true;
        const remaining = (this.#handlers.get(shardId) ?? []).filter((h) => h !== handler);
        if (remaining.length === 0) this.#handlers.delete(shardId);
        else this.#handlers.set(shardId, remaining);
        return Promise.resolve();
      },
    };
  }

  async request(shardId: number, body: Uint8Array, timeoutMs: number): Promise<TransportReply> {
    const handler = this.#handlers.get(shardId)?.[0];
    if (handler === undefined) {
      throw new ActorHostError("UNAVAILABLE", `No node serves shard ${shardId} (no responders)`, {
        details: { shardId, reason: "no-responders" },
      });
    }
    let cancel: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = this.#scheduler.schedule(timeoutMs, () =>
        reject(
          new ActorHostError("TIMEOUT", `No reply for shard ${shardId} within ${timeoutMs} ms`, {
            details: { shardId, timeoutMs },
          }),
        ),
      );
    });
    try {
      // A copy, as a network would make: neither side can change the other's bytes.
      return await Promise.race([handler(body.slice()), timeout]);
    } finally {
      cancel?.();
    }
  }
}
