import { AetherError, AetherErrorCode } from "@aether/kernel";
import type { CheckpointMove, CheckpointStore } from "../projections/checkpointStore.js";
import type { ProjectionTx } from "../projections/projection.js";
import { checkpointMoved } from "../projections/projectionError.js";

/** The part of a `pg` client the store uses (a `PoolClient` fits). */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
  release(error?: Error | boolean): void;
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
}

// SQLSTATE classes worth another try: connection exceptions, insufficient resources, operator
// intervention (a restarting server), serialization failures and deadlocks.
const TRANSIENT_SQLSTATE = /^(08|53|57|40)/;

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
  #ready: Promise<void> | undefined;

  constructor(options: PostgresCheckpointStoreOptions) {
    this.#pool = options.pool;
    this.#schema = identifier("schema", options.schema ?? "public");
    this.#table = `${this.#schema}.${identifier("table", options.table ?? "aether_projection_checkpoints")}`;
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
    await this.#run(async (client) => {
      await client.query("BEGIN");
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
    let broken: Error | undefined;
    try {
      return await body(client);
    } catch (error) {
      if (error instanceof AetherError) throw error;
      // A connection error leaves the client unusable: the pool must not hand it out again.
      broken = error as Error;
      throw pgFailure(error);
    } finally {
      client.release(broken);
    }
  }
}
