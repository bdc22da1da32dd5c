import { AetherErrorCode, defaultLogger, type Logger } from "@aether/kernel";
import { parseNamespace } from "@aether/namespace";
import { integerOption, toAetherError } from "@aether/nats";
import type { KV } from "@nats-io/kv";
import { nuid, type NatsConnection } from "@nats-io/nats-core";
import type { ProjectionLease } from "../projections/projectionLease.js";
import {
  isRevisionMismatch,
  openProjectionBucket,
  projectionKey,
} from "./internal/projectionBucket.js";
import type { KvProjectionOptions } from "./kvCheckpointStore.js";

export interface KvProjectionLeaseOptions extends KvProjectionOptions {
  /**
   * How long a lease outlives its holder's last renewal. A runner that dies is replaced after
   * about this long; the holder renews every fifth of it.
   * @default 10_000
   */
  ttlMs?: number;
  /** Written into the lease so operators can see who holds it. @default a NUID */
  holderId?: string;
  logger?: Logger;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * One active runner per projection name across processes, on the namespace's projection bucket
 * (key `lease.<name token>`). Taken by create-if-absent, or by compare-and-set on the revision
 * a challenger saw once it has stayed unchanged for a full `ttlMs` of the challenger's own
 * time; renewed by compare-and-set. Safety rests on clock rates, not synchronised clocks: the
 * holder acts only while less than `ttlMs − margin` has passed, on its monotonic clock, since it
 * *sent* its last successful renewal — earlier than any challenger can have started counting.
 * So a paused or partitioned holder stops acting before anyone takes over; the checkpoint's own
 * compare-and-set is the safety net under it.
 */
export class KvProjectionLease implements ProjectionLease {
  readonly namespace: string;
  readonly holderId: string;
  readonly #nc: NatsConnection;
  readonly #ttlMs: number;
  readonly #options: KvProjectionOptions;
  readonly #logger: Logger;
  #bucket: Promise<KV> | undefined;
  #key: string | undefined;
  #revision: number | undefined;
  #renewedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(nc: NatsConnection, options: KvProjectionLeaseOptions = {}) {
    this.namespace = parseNamespace(options.namespace ?? "default");
    this.#nc = nc;
    this.#ttlMs = integerOption("ttlMs", options.ttlMs, { fallback: 10_000, min: 100 });
    this.holderId = options.holderId ?? nuid.next();
    this.#options = options;
    this.#logger = (options.logger ?? defaultLogger()).child({
      component: "KvProjectionLease",
      namespace: this.namespace,
    });
  }

  #kv(): Promise<KV> {
    this.#bucket ??= openProjectionBucket(this.#nc, {
      namespace: this.namespace,
      replicas: integerOption("replicas", this.#options.replicas, { fallback: 1, min: 1, max: 5 }),
      timeoutMs: integerOption("timeoutMs", this.#options.timeoutMs, { fallback: 10_000, min: 1 }),
      requestTimeoutMs: integerOption("requestTimeoutMs", this.#options.requestTimeoutMs, {
        fallback: 2_000,
        min: 1,
      }),
    }).catch((error: unknown) => {
      this.#bucket = undefined;
      throw error;
    });
    return this.#bucket;
  }

  get #margin(): number {
    return this.#ttlMs / 5;
  }

  isHeld(): boolean {
    return this.heldForMs() > 0;
  }

  heldForMs(): number {
    if (this.#revision === undefined) return 0;
    return Math.max(0, this.#ttlMs - this.#margin - (performance.now() - this.#renewedAt));
  }

  async acquire(name: string, signal: AbortSignal): Promise<boolean> {
    const key = projectionKey("lease", name);
    this.#key = key;
    const value = JSON.stringify({ holderId: this.holderId });
    // The revision last seen on the key, and when (our clock) it was first seen.
    let seen: { revision: number; since: number } | undefined;
    while (!signal.aborted) {
      const sentAt = performance.now();
      try {
        const kv = await this.#kv();
        let revision: number | undefined;
        if (seen === undefined) revision = await kv.create(key, value);
        else if (sentAt - seen.since >= this.#ttlMs)
          revision = await kv.update(key, value, seen.revision);
        if (revision !== undefined) {
          this.#hold(revision, sentAt);
          return true;
        }
        const entry = await kv.get(key);
        if (entry === null || entry.operation !== "PUT") seen = undefined;
        else if (seen?.revision !== entry.revision)
          seen = { revision: entry.revision, since: performance.now() };
      } catch (error) {
        const failure = toAetherError(
          error,
          `take the lease of projection ${JSON.stringify(name)}`,
        );
        if (failure.code === AetherErrorCode.Closed) throw failure;
        if (!isRevisionMismatch(error)) {
          this.#logger.warn(
            { key, reason: (error as Error).message },
            "could not reach the lease; trying again",
          );
        }
        // Lost a race for the key: look at it again before the next try.
        seen = undefined;
        try {
          const entry = await (await this.#kv()).get(key);
          if (entry?.operation === "PUT")
            seen = { revision: entry.revision, since: performance.now() };
        } catch {
          // NATS is away; the next round tries again.
        }
      }
      await sleep(Math.max(20, this.#margin), signal);
    }
    return false;
  }

  #hold(revision: number, sentAt: number): void {
    this.#revision = revision;
    this.#renewedAt = sentAt;
    this.#logger.debug({ key: this.#key, revision }, "holding the projection lease");
    this.#timer = setInterval(() => void this.#renew(), this.#margin);
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const key = this.#key;
    const revision = this.#revision;
    if (key === undefined || revision === undefined) return;
    const sentAt = performance.now();
    try {
      const next = await (
        await this.#kv()
      ).update(key, JSON.stringify({ holderId: this.holderId }), revision);
      if (this.#revision === revision) {
        this.#revision = next;
        this.#renewedAt = sentAt;
      }
    } catch (error) {
      if (isRevisionMismatch(error)) {
        this.#logger.warn({ key }, "the projection lease was taken over");
        this.#stopRenewing();
      }
      // Otherwise NATS is away: isHeld() turns false on its own as the renewal ages.
    }
  }

  #stopRenewing(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#revision = undefined;
  }

  async release(): Promise<void> {
    const key = this.#key;
    const revision = this.#revision;
    this.#stopRenewing();
    if (key === undefined || revision === undefined) return;
    try {
      await (await this.#kv()).delete(key, { previousSeq: revision });
    } catch {
      // Gone or taken over: either way it is not ours any more, and it lapses on its own.
    }
  }
}
