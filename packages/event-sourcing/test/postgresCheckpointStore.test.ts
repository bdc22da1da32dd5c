import { PostgresCheckpointStore } from "@aether/event-sourcing/postgres";
import { isAetherError } from "@aether/kernel";
import pg from "pg";
import { describe, expect, it } from "vitest";

describe("event-sourcing PostgresCheckpointStore", () => {
  it("refuses a schema or table name that is not a plain identifier", () => {
    const pool = new pg.Pool();
    expect(() => new PostgresCheckpointStore({ pool, schema: 'x"; drop table y; --' })).toThrow(
      /schema must be a plain SQL identifier/,
    );
    expect(() => new PostgresCheckpointStore({ pool, table: "a.b" })).toThrow(/table/);
  });

  it("reports an unreachable PostgreSQL as retryable UNAVAILABLE, naming the cause", async () => {
    const pool = new pg.Pool({ host: "127.0.0.1", port: 1, connectionTimeoutMillis: 2_000 });
    try {
      const error = await new PostgresCheckpointStore({ pool })
        .load("p")
        .catch((reason: unknown) => reason);
      expect(isAetherError(error) && [error.code, error.retryable]).toEqual(["UNAVAILABLE", true]);
      expect((error as Error).message).toMatch(/PostgreSQL checkpoint store: .*ECONNREFUSED/);
    } finally {
      await pool.end();
    }
  });
});
