import { parseNamespace } from "@aether/namespace";
import { Deadline, integerOption, retrying, toAetherError } from "@aether/nats";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { CheckpointMove, CheckpointStore } from "../projections/checkpointStore.js";
import type { ProjectionTx } from "../projections/projection.js";
import { checkpointMoved } from "../projections/projectionError.js";
import {
  isRevisionMismatch,
  openProjectionBucket,
  projectionBucketName,
  projectionKey,
} from "./internal/projectionBucket.js";

export interface KvProjectionOptions {
  /** The namespace whose projections these are; one bucket per namespace. @default "default" */
  namespace?: string;
  /** Copies of each entry, used when the bucket is created. @default 1 */
  replicas?: number;
  /** Longest time one call may take, internal retries included. @default 10_000 */
  timeoutMs?: number;
  /** Longest wait for one answer from NATS before the call retries it. @default 2_000 */
  requestTimeoutMs?: number;
}

const decoder = new TextDecoder();

/**
 * Projection checkpoints in the namespace's KV bucket `AETHER_PROJECTIONS_<namespace token>`
 * (key `checkpoint.<name token>`), moved by compare-and-set on the key's revision, so a runner
 * that lost its lease cannot move a checkpoint another runner owns. KV has no transaction with
 * your read model: the work runs first and the checkpoint moves after it, so after a crash
 * between the two the events of that position are handled again (at least once). Make the
 * read model's writes idempotent with `tx.position` (store the last position applied with the
 * data and skip older ones), or keep the read model in PostgreSQL with PostgresCheckpointStore.
 */
export class KvCheckpointStore implements CheckpointStore {
  readonly namespace: string;
  readonly bucketName: string;
  readonly #nc: NatsConnection;
  readonly #settings: { replicas: number; timeoutMs: number; requestTimeoutMs: number };
  readonly #revisions = new Map<string, number>();
  #bucket: Promise<KV> | undefined;

  constructor(nc: NatsConnection, options: KvProjectionOptions = {}) {
    this.namespace = parseNamespace(options.namespace ?? "default");
    this.bucketName = projectionBucketName(this.namespace);
    this.#nc = nc;
    this.#settings = {
      replicas: integerOption("replicas", options.replicas, { fallback: 1, min: 1, max: 5 }),
      timeoutMs: integerOption("timeoutMs", options.timeoutMs, { fallback: 10_000, min: 1 }),
      requestTimeoutMs: integerOption("requestTimeoutMs", options.requestTimeoutMs, {
        fallback: 2_000,
        min: 1,
      }),
    };
  }

  #kv(): Promise<KV> {
    this.#bucket ??= openProjectionBucket(this.#nc, {
      namespace: this.namespace,
      ...this.#settings,
    }).catch((error: unknown) => {
      this.#bucket = undefined;
      throw error;
    });
    return this.#bucket;
  }

  async load(name: string): Promise<number> {
    const kv = await this.#kv();
    const entry = await retrying(
      {
        deadline: new Deadline(this.#settings.timeoutMs),
        requestTimeoutMs: this.#settings.requestTimeoutMs,
      },
      `read the checkpoint of projection ${JSON.stringify(name)}`,
      () => kv.get(projectionKey("checkpoint", name)),
    );
    if (entry === null || entry.operation !== "PUT") {
      this.#revisions.set(name, entry?.revision ?? 0);
      return 0;
    }
    this.#revisions.set(name, entry.revision);
    return Number(decoder.decode(entry.value));
  }

  async commit(
    name: string,
    move: CheckpointMove,
    work: (tx: ProjectionTx) => Promise<void>,
  ): Promise<void> {
    if (!this.#revisions.has(name)) {
      const current = await this.load(name);
      if (current !== move.from) throw checkpointMoved(name, move.from, current);
    }
    const revision = this.#revisions.get(name) ?? 0;
    const kv = await this.#kv();
    await work({ position: move.to });
    const key = projectionKey("checkpoint", name);
    try {
      const next =
        revision === 0
          ? await kv.create(key, String(move.to))
          : await kv.update(key, String(move.to), revision);
      this.#revisions.set(name, next);
    } catch (error) {
      this.#revisions.delete(name);
      if (isRevisionMismatch(error)) throw checkpointMoved(name, move.from, undefined);
      throw toAetherError(error, `move the checkpoint of projection ${JSON.stringify(name)}`);
    }
  }
}
