import { AetherError } from "@aether/kernel";
import {
  EXPECTED_SEQUENCE_RACE_FIXED,
  isServerVersionBefore,
  parseServerVersion,
} from "@aether/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamManager, StoredMsg } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { KV, KvEntry } from "@nats-io/kv";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { ClusterError } from "../clusterError.js";
import type {
  Coordination,
  CoordinationChange,
  CoordinationEntry,
  CoordinationWatch,
  CoordinationWatchOptions,
} from "../coordination.js";
import { ChangeQueue } from "../internal/changeQueue.js";
import { isNoResponders, isStreamNotFound, toCoordinationError } from "./internal/natsErrors.js";

export interface NatsCoordinationOptions {
  /** Names the cluster; its state lives in the KV bucket `aether-cluster-<clusterName>`. */
  clusterName: string;
  /** Replicas of the bucket (1, 3 or 5); use 3 on a 3-node NATS cluster. @default 1 */
  replicas?: number;
  /**
   * Read every compare-and-set back through the stream leader before reporting success.
   * `auto`: only where nats-server#4320 can bite (a replicated bucket on a server < 2.9.21).
   * @default "auto"
   */
  confirmWrites?: "auto" | "always" | "never";
}

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Revisions kept per key: a confirmation reads the write that followed the expected revision. */
const HISTORY = 10;
const OPEN_ATTEMPTS = 5;

/**
 * Coordination on one NATS KV bucket per cluster: a revision is the bucket stream's sequence, a
 * timestamp the server's, and compare-and-set is JetStream's expected-last-subject-sequence.
 *
 * On nats-server < 2.9.21 with a replicated bucket, two racing compare-and-sets on one key can
 * both be acknowledged (nats-server#4320). There, a successful write is confirmed before it is
 * reported: the message that followed the expected revision on the key's subject is fetched from
 * the stream leader, and only the writer whose message that is has won; the other gets
 * `COORDINATION_CONFLICT` although the server said yes.
 */
export async function natsCoordination(
  nc: NatsConnection,
  options: NatsCoordinationOptions,
): Promise<Coordination> {
  const clusterName = options?.clusterName;
  if (typeof clusterName !== "string" || !CLUSTER_NAME.test(clusterName)) {
    throw new ClusterError(
      "INVALID_CLUSTER_NAME",
      `natsCoordination: clusterName must be 1-64 characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(clusterName)}`,
      { details: { clusterName } },
    );
  }
  const replicas = options.replicas ?? 1;
  if (![1, 3, 5].includes(replicas)) {
    throw new AetherError(
      "INVALID_ARGUMENT",
      `natsCoordination: replicas must be 1, 3 or 5, got ${String(replicas)}`,
    );
  }
  const bucket = `aether-cluster-${clusterName}`;
  const confirm =
    options.confirmWrites === "always" ||
    ((options.confirmWrites ?? "auto") === "auto" &&
      replicas > 1 &&
      serverHasCasRace(nc.info?.version));
  const coordination = new NatsKvCoordination(nc, bucket, { replicas, confirm });
  await coordination.open();
  return coordination;
}

function serverHasCasRace(version: string | undefined): boolean {
  const parsed = parseServerVersion(version);
  // An unknown version is treated as affected: confirming costs a read, not confirming a split brain.
  return parsed === undefined || isServerVersionBefore(parsed, EXPECTED_SEQUENCE_RACE_FIXED);
}

/** A write to confirm: its revision (unknown for a delete) and its value (undefined: a delete). */
interface Written {
  revision: number;
  value: string | undefined;
}

interface KvSettings {
  replicas: number;
  confirm: boolean;
}

class NatsKvCoordination implements Coordination {
  readonly #nc: NatsConnection;
  readonly #bucket: string;
  readonly #settings: KvSettings;
  #kv: KV | undefined;
  #jsm: JetStreamManager | undefined;

  constructor(nc: NatsConnection, bucket: string, settings: KvSettings) {
    this.#nc = nc;
    this.#bucket = bucket;
    this.#settings = settings;
  }

  get #stream(): string {
    return `KV_${this.#bucket}`;
  }

  /**
   * Binds to the cluster's bucket, creating it if absent. Nodes that start together race to
   * create a replicated bucket, and the losers' requests can time out while the stream forms, so
   * a few attempts are made before giving up.
   */
  async open(): Promise<KV> {
    const kvm = new Kvm(this.#nc);
    let lastError: unknown;
    for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      try {
        this.#jsm ??= await jetstreamManager(this.#nc);
        const exists = await this.#jsm.streams.info(this.#stream).then(
          () => true,
          (error: unknown) => {
            if (isStreamNotFound(error)) return false;
            throw error;
          },
        );
        // Reads go through the stream leader (no direct get), so a read never trails a write it follows.
        this.#kv = exists
          ? await kvm.open(this.#bucket, { bindOnly: true })
          : await kvm.create(this.#bucket, {
              replicas: this.#settings.replicas,
              history: HISTORY,
              allow_direct: false,
            });
        return this.#kv;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
    }
    throw toCoordinationError(lastError, "*", `opening bucket ${this.#bucket}`);
  }

  async #call<T>(key: string, operation: string, run: (kv: KV) => Promise<T>): Promise<T> {
    try {
      return await run(this.#kv ?? (await this.open()));
    } catch (error) {
      // A deleted bucket is re-created on the next call, so the cluster's nodes can register again.
      // Writes to a deleted bucket see no responders rather than "stream not found".
      if (isStreamNotFound(error) || isNoResponders(error)) this.#kv = undefined;
      throw toCoordinationError(error, key, operation);
    }
  }

  async get(key: string): Promise<CoordinationEntry | undefined> {
    return this.#call(key, "get", (kv) => this.#read(kv, key));
  }

  async #read(kv: KV, key: string): Promise<CoordinationEntry | undefined> {
    if (!this.#settings.confirm) return toEntry(await kv.get(key));
    const last = await this.#lastMessage(key);
    if (last === null) return undefined;
    const value = await this.#validValue(key, last);
    return value === undefined
      ? undefined
      : { key, value, revision: last.seq, timestamp: last.time.getTime() };
  }

  /**
   * Listed from the stream's subjects, not with `kv.keys()`: that creates a consumer, and on 2.9
   * creating one took over 10 s after a server of the NATS cluster died, twice in a row (seen in
   * the multi-process test); the stream leader answers a stream info at once.
   */
  async keys(prefix = ""): Promise<string[]> {
    return this.#call(prefix, "keys", async (kv) => {
      const jsm = await this.#jsmOrOpen();
      const subjectPrefix = this.#subject("");
      const info = await jsm.streams.info(this.#stream, { subjects_filter: `${subjectPrefix}>` });
      const listed = Object.keys(info.state.subjects ?? {})
        .map((subject) => subject.slice(subjectPrefix.length))
        .filter((key) => key.startsWith(prefix));
      // A deleted key keeps its subject (the delete marker); only keys with a value count.
      const entries = await Promise.all(listed.map((key) => this.#read(kv, key)));
      return entries.flatMap((entry) => (entry === undefined ? [] : [entry.key]));
    });
  }

  async create(key: string, value: string): Promise<number> {
    if (!this.#settings.confirm) return this.#call(key, "create", (kv) => kv.create(key, value));
    return this.#call(key, "create", async (kv) => {
      // Absent means no valid value: a delete marker, or a racing loser's write on top of one.
      const last = await this.#lastMessage(key);
      if (last !== null && (await this.#validValue(key, last)) !== undefined) {
        throw ClusterError.conflict(key, "already exists");
      }
      const revision =
        last === null ? await kv.create(key, value) : await kv.update(key, value, last.seq);
      return this.#confirm(key, last?.seq ?? 0, { revision, value });
    });
  }

  async update(key: string, value: string, revision: number): Promise<number> {
    return this.#call(key, "update", async (kv) => {
      const written = await kv.update(key, value, revision);
      return this.#confirm(key, revision, { revision: written, value });
    });
  }

  async delete(key: string, revision?: number): Promise<void> {
    await this.#call(key, "delete", async (kv) => {
      await kv.delete(key, revision === undefined ? {} : { previousSeq: revision });
      if (revision !== undefined)
        await this.#confirm(key, revision, { revision: 0, value: undefined });
    });
  }

  /**
   * nats-server#4320: the write that counts is the first one on the key's subject after the
   * revision both racers expected, as the stream leader has it; a loser is told so. Its message
   * may still top the key: readers (`get`, `watch`) see through it to the winner's value.
   */
  async #confirm(key: string, expected: number, written: Written): Promise<number> {
    if (!this.#settings.confirm) return written.revision;
    const next = await this.#firstAfter(key, expected);
    const won =
      next !== null &&
      (written.value === undefined ? operationOf(next) !== "PUT" : next.seq === written.revision);
    if (!won) {
      throw ClusterError.conflict(
        key,
        `the server acknowledged the write but a racing write got there first (nats-server#4320); found revision ${next?.seq ?? "none"} after ${expected}`,
      );
    }
    return next.seq;
  }

  async #jsmOrOpen(): Promise<JetStreamManager> {
    return (this.#jsm ??= await jetstreamManager(this.#nc));
  }

  #subject(key: string): string {
    return `$KV.${this.#bucket}.${key}`;
  }

  async #lastMessage(key: string): Promise<StoredMsg | null> {
    const jsm = await this.#jsmOrOpen();
    return jsm.streams.getMessage(this.#stream, { last_by_subj: this.#subject(key) });
  }

  async #firstAfter(key: string, revision: number): Promise<StoredMsg | null> {
    const jsm = await this.#jsmOrOpen();
    const query = { seq: revision + 1, next_by_subj: this.#subject(key) };
    return jsm.streams.getMessage(this.#stream, query);
  }

  /**
   * The value a message stands for. A compare-and-set message is valid when it directly follows
   * the revision it expected; one that does not is a racing loser acknowledged by mistake
   * (nats-server#4320), and the value is the winner's, the first message after that revision.
   */
  async #validValue(key: string, message: StoredMsg): Promise<string | undefined> {
    const expected = expectedRevisionOf(message.header);
    if (expected !== undefined) {
      const first = await this.#firstAfter(key, expected);
      if (first !== null && first.seq !== message.seq) {
        return operationOf(first) === "PUT" ? first.string() : undefined;
      }
    }
    return operationOf(message) === "PUT" ? message.string() : undefined;
  }

  watch(options: CoordinationWatchOptions = {}): CoordinationWatch {
    const prefix = options.prefix ?? "";
    let stopUnderlying: () => void = () => undefined;
    const queue = new ChangeQueue<CoordinationChange>(() => stopUnderlying());
    void (async () => {
      try {
        const kv = this.#kv ?? (await this.open());
        const iterator = await kv.watch({ key: ">" });
        stopUnderlying = () => iterator.stop();
        if (queue.stopped) iterator.stop();
        // Per key: the last revision seen and the last valid value (see #validValue).
        const lastSeen = new Map<string, { revision: number; value: string | undefined }>();
        for await (const entry of iterator) {
          if (!entry.key.startsWith(prefix)) continue;
          let value = entry.operation === "PUT" ? entry.string() : undefined;
          if (this.#settings.confirm) {
            const expected = expectedRevisionOf(headersOf(entry));
            const previous = lastSeen.get(entry.key);
            if (
              expected !== undefined &&
              previous !== undefined &&
              expected !== previous.revision
            ) {
              value = previous.value;
            } else if (expected !== undefined && previous === undefined) {
              // First sight of the key (the initial value): check it against the revision it expected.
              const first = await this.#firstAfter(entry.key, expected);
              if (first !== null && first.seq !== entry.revision) {
                value = operationOf(first) === "PUT" ? first.string() : undefined;
              }
            }
            lastSeen.set(entry.key, { revision: entry.revision, value });
          }
          queue.push({
            key: entry.key,
            value,
            revision: entry.revision,
            timestamp: entry.created.getTime(),
          });
        }
        queue.end();
      } catch (error) {
        queue.fail(toCoordinationError(error, prefix || ">", "watch"));
      }
    })();
    return Object.assign(queue, { stop: () => queue.end() });
  }
}

const EXPECTED_REVISION_HEADER = "Nats-Expected-Last-Subject-Sequence";

function expectedRevisionOf(headers: MsgHdrs | undefined): number | undefined {
  const value = headers?.get(EXPECTED_REVISION_HEADER);
  return value === undefined || value === "" ? undefined : Number(value);
}

function operationOf(message: StoredMsg): string {
  return message.header?.get("KV-Operation") || "PUT";
}

// nats.js keeps a watched entry's message (and its headers) in `sm`, without a public accessor.
function headersOf(entry: KvEntry): MsgHdrs | undefined {
  return (entry as unknown as { sm?: { headers?: MsgHdrs } }).sm?.headers;
}

function toEntry(entry: KvEntry | null): CoordinationEntry | undefined {
  if (entry === null || entry.operation !== "PUT") return undefined;
  return {
    key: entry.key,
    value: entry.string(),
    revision: entry.revision,
    timestamp: entry.created.getTime(),
  };
}
