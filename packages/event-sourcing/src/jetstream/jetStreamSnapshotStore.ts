import {
  actorSnapshotSchema,
  describeIssues,
  parseActorId,
  parseActorSnapshot,
  type ActorSnapshot,
  type Logger,
  type Clock,
  type DomainEventPublisher,
} from "@aether/kernel";
import { snapshotBucketName, snapshotKey } from "@aether/namespace/naming";
import { jetstream } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { SnapshotStore } from "../eventStore.js";
import {
  Deadline,
  checkPayloadSize,
  integerOption,
  retrying,
  type RetryBudget,
} from "@aether/nats";
import { jsonBytes } from "./internal/client/jsonBytes.js";
import { storeContext } from "../internal/storeContext.js";
import type { StoreReports } from "../internal/storeReports.js";

export interface JetStreamSnapshotStoreOptions {
  /** The tenant or bounded context this store holds; one KV bucket per namespace. @default "default" */
  namespace?: string;
  /** Receives `SnapshotCreated`. @default silentDomainEventPublisher */
  publisher?: DomainEventPublisher;
  logger?: Logger;
  clock?: Clock;
  /** Copies of each snapshot, used when this store creates the bucket. @default 1 */
  replicas?: number;
  /** Longest time one call may take, internal retries included. @default 10_000 */
  timeoutMs?: number;
  /** Longest wait for one answer from NATS before the call retries it. @default 2_000 */
  requestTimeoutMs?: number;
}

const decoder = new TextDecoder();

/**
 * A SnapshotStore on a NATS KV bucket per namespace (`AETHER_SNAPSHOTS_<namespace token>`, file
 * storage, history 1): the key is the actor's token, the value the snapshot as JSON, actor id
 * included. Last write wins. A stored value that does not decode, or that belongs to another
 * actor, is logged and treated as no snapshot, so the actor is rebuilt from its events instead
 * of from a wrong state.
 */
export class JetStreamSnapshotStore implements SnapshotStore {
  readonly namespace: string;
  /** The KV bucket that holds this namespace's snapshots. */
  readonly bucketName: string;
  readonly #nc: NatsConnection;
  readonly #reports: StoreReports;
  readonly #logger: Logger;
  readonly #replicas: number;
  readonly #timeoutMs: number;
  readonly #requestTimeoutMs: number;
  #bucket: Promise<KV> | undefined;

  constructor(nc: NatsConnection, options: JetStreamSnapshotStoreOptions = {}) {
    const context = storeContext("JetStreamSnapshotStore", options);
    this.namespace = context.namespace;
    this.bucketName = snapshotBucketName(this.namespace);
    this.#nc = nc;
    this.#logger = context.logger;
    this.#reports = context.reports;
    this.#replicas = integerOption("replicas", options.replicas, { fallback: 1, min: 1, max: 5 });
    this.#timeoutMs = integerOption("timeoutMs", options.timeoutMs, { fallback: 10_000, min: 1 });
    this.#requestTimeoutMs = integerOption("requestTimeoutMs", options.requestTimeoutMs, {
      fallback: 2_000,
      min: 1,
    });
  }

  #budget(): RetryBudget {
    return { deadline: new Deadline(this.#timeoutMs), requestTimeoutMs: this.#requestTimeoutMs };
  }

  /** Creates the bucket if it does not exist yet (or opens the existing one). Optional. */
  async ensureBucket(): Promise<void> {
    await this.#kv();
  }

  #kv(): Promise<KV> {
    this.#bucket ??= retrying(this.#budget(), `set up snapshot bucket ${this.bucketName}`, () =>
      new Kvm(jetstream(this.#nc, { timeout: this.#requestTimeoutMs })).create(this.bucketName, {
        history: 1,
        replicas: this.#replicas,
        storage: "file",
        description: `Aether snapshots of namespace ${this.namespace}`,
      }),
    ).catch((error: unknown) => {
      this.#bucket = undefined;
      throw error;
    });
    return this.#bucket;
  }

  async getLatestSnapshot(actorId: string): Promise<ActorSnapshot | undefined> {
    const id = parseActorId(actorId);
    const kv = await this.#kv();
    const entry = await retrying(
      this.#budget(),
      `read the snapshot of actor ${JSON.stringify(id)}`,
      () => kv.get(snapshotKey(id)),
    );
    if (entry === null || entry.operation !== "PUT") return undefined;
    let problem: string;
    try {
      const result = actorSnapshotSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
      if (result.success && result.data.actorId === id) return result.data as ActorSnapshot;
      problem = result.success
        ? `it belongs to actor ${JSON.stringify(result.data.actorId)}`
        : describeIssues(result.error);
    } catch (error) {
      problem = `invalid JSON: ${(error as Error).message}`;
    }
    this.#logger.warn(
      { actorId: id, revision: entry.revision, problem },
      "ignoring a stored snapshot that is not valid for this actor",
    );
    return undefined;
  }

  async saveSnapshot(snapshot: ActorSnapshot): Promise<void> {
    const valid = parseActorSnapshot(snapshot);
    const data = jsonBytes(valid);
    checkPayloadSize(
      this.#nc,
      { data },
      {
        what: `The snapshot of actor ${JSON.stringify(valid.actorId)}`,
        advice: "keep less state in the snapshot",
      },
    );
    const kv = await this.#kv();
    // A put of the same value is idempotent, so retrying after a lost answer is safe.
    await retrying(
      this.#budget(),
      `save the snapshot of actor ${JSON.stringify(valid.actorId)}`,
      () => kv.put(snapshotKey(valid.actorId), data),
    );
    this.#reports.snapshotCreated(valid);
  }
}

/** Creates a JetStreamSnapshotStore and makes sure its bucket exists. */
export async function createJetStreamSnapshotStore(
  nc: NatsConnection,
  options: JetStreamSnapshotStoreOptions = {},
): Promise<JetStreamSnapshotStore> {
  const store = new JetStreamSnapshotStore(nc, options);
  await store.ensureBucket();
  return store;
}
