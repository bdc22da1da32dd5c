import { AetherError, AetherErrorCode } from "@aether/kernel";
import type { CheckpointMove, CheckpointStore } from "../projections/checkpointStore.js";
import type { ProjectionTx } from "../projections/projection.js";
import { checkpointMoved } from "../projections/projectionError.js";

/** The part of a `pg` client the store uses (a `PoolClient` fits). */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
  release(error?: Error | boolean): void;
  /** `pg` clients emit "error" when their connection dies while checked out. */
  on?(event: "error", listener: (error: Error) => void): unknown;
  off?(event: "error", listener: (error: Error) => void): unknown;
}

/** The part of a `pg` `Pool` the store uses. */
export interface PgPool {
  connect(): Promise<PgClient>;
}

/** What a projection's `handle` gets with PostgresCheckpointStore: the open transaction. */
export interface PostgresProjectionTx extends ProjectionTx {
  /** The client inside the transaction; the checkpoint commits with whatever you do on it. */
  client: PgClient;
}

export interface PostgresCheckpointStoreOptions {
  /** A `pg` Pool (or anything with `connect()` giving a client with `query` and `release`). */
  pool: PgPool;
  /** Schema of the checkpoint table; created if missing. @default "public" */
  schema?: string;
  /** @default "aether_projection_checkpoints" */
  table?: string;
  /**
   * How long a commit's transaction may sit idle (between statements) before PostgreSQL ends
   * it. A runner frozen in the middle of a commit (a GC pause, SIGSTOP, a hung host) holds the
   * checkpoint row's lock, and with it back the runner that took over its lease; after this long
   * the server rolls the frozen transaction back and the other runner goes on. Under a lease
   * that can lapse, what is left of it when the commit begins bounds this too: the runner may
   * not act past its lease anyway, and so the row is free by the time another can take over.
   * @default 30_000
   */
  idleInTransactionTimeoutMs?: number;
}

// SQLSTATE classes worth another try: connection exceptions, insufficient resources, operator
// intervention (a restarting server), serialization failures and deadlocks; and an idle
// transaction ended by idle_in_transaction_session_timeout.
const TRANSIENT_SQLSTATE = /^(08|53|57|40)|^25P03$/;

/**
 * A failure of PostgreSQL itself as an AetherError: retryable (UNAVAILABLE) when the server or
 * the connection was away or a transaction lost a race — the runner then reloads its checkpoint,
 * which is right whether or not an interrupted COMMIT landed — and INTERNAL otherwise.
 */
function pgFailure(error: unknown): AetherError {
  const code = (error as { code?: unknown } | null)?.code;
  const transient = typeof code !== "string" || code.length !== 5 || TRANSIENT_SQLSTATE.test(code);
  return new AetherError(
    transient ? AetherErrorCode.Unavailable : AetherErrorCode.Internal,
    `PostgreSQL checkpoint store: ${(error as Error | null)?.message ?? String(error)}`,
    { cause: error, details: { sqlstate: code } },
  );
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function identifier(what: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `${what} must be a plain SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(value)}`,
    );
  }
  return `"${value}"`;
}

/**
 * Projection checkpoints in PostgreSQL, the usual home of a read model: `commit` opens a
 * transaction, moves the checkpoint row from `move.from` to `move.to` (refusing with
 * CHECKPOINT_MOVED when it is elsewhere, so a runner that lost its lease rolls back instead of
 * applying events twice), runs the projection's work on the same client, and commits both at
 * once. A crash at any point leaves the read model and its checkpoint in agreement: each event
 * takes effect exactly once. The row lock taken by the move also makes a second runner that
 * races the first wait, then fail.
 */
export class PostgresCheckpointStore implements CheckpointStore<PostgresProjectionTx> {
  readonly #pool: PgPool;
  readonly #schema: string;
  readonly #table: string;
  readonly #idleTimeoutMs: number;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresCheckpointStoreOptions) {
    this.#pool = options.pool;
    this.#schema = identifier("schema", options.schema ?? "public");
    this.#table = `${this.#schema}.${identifier("table", options.table ?? "aether_projection_checkpoints")}`;
    this.#idleTimeoutMs = options.idleInTransactionTimeoutMs ?? 30_000;
    if (!Number.isSafeInteger(this.#idleTimeoutMs) || this.#idleTimeoutMs < 1) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        `idleInTransactionTimeoutMs must be an integer >= 1, got ${String(options.idleInTransactionTimeoutMs)}`,
      );
    }
  }

  /** Creates the schema and the checkpoint table if they are missing; every call does it first. */
  ensureTable(): Promise<void> {
    this.#ready ??= this.#run(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
      );
    }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async load(name: string): Promise<number> {
    await this.ensureTable();
    return this.#run(async (client) => {
      const result = await client.query(`SELECT position FROM ${this.#table} WHERE name = $1`, [
        name,
      ]);
      const row = result.rows[0] as { position: string } | undefined;
      return row === undefined ? 0 : Number(row.position);
    });
  }

  async commit(
    name: string,
    move: CheckpointMove,
    work: (tx: PostgresProjectionTx) => Promise<void>,
  ): Promise<void> {
    await this.ensureTable();
    const idleTimeoutMs = Math.max(
      1,
      Math.min(this.#idleTimeoutMs, Math.floor(move.heldForMs ?? Infinity)),
    );
    await this.#run(async (client) => {
      // One round trip, so that no frozen runner can leave a transaction open without the bound.
      await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${idleTimeoutMs}`);
      try {
        // The move comes first: it locks the row, so a racing runner waits here, then fails.
        const moved = await client.query(
          `UPDATE ${this.#table} SET position = $3, updated_at = now() WHERE name = $1 AND position = $2`,
          [name, move.from, move.to],
        );
        if (moved.rowCount !== 1) {
          const inserted =
            move.from === 0
              ? await client.query(
                  `INSERT INTO ${this.#table} (name, position) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
                  [name, move.to],
                )
              : { rowCount: 0 };
          if (inserted.rowCount !== 1) {
            const current = await client.query(
              `SELECT position FROM ${this.#table} WHERE name = $1`,
              [name],
            );
            const row = current.rows[0] as { position: string } | undefined;
            throw checkpointMoved(name, move.from, row === undefined ? 0 : Number(row.position));
          }
        }
        await work({ position: move.to, client });
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  async #run<T>(body: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw pgFailure(error);
    });
    // A connection that dies while checked out (the server ended an idle transaction, or went
    // away) is reported here rather than as an unhandled "error" event, and whatever failed
    // because of it — the handler's query included — is UNAVAILABLE, not the handler's fault.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost ??= error);
    client.on?.("error", onError);
    try {
      return await body(client);
    } catch (error) {
      if (lost !== undefined) throw pgFailure(lost);
      if (error instanceof AetherError) throw error;
      lost = error as Error;
      throw pgFailure(error);
    } finally {
      client.off?.("error", onError);
      // A client whose connection failed must not go back into the pool.
      client.release(lost);
    }
  }
}
