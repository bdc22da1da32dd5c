import { PostgresCheckpointStore } from "@aether/event-sourcing/postgres";
import { isAetherError } from "@aether/kernel";
import { uniqueName } from "@aether/test-support";
import { describe, expect, it } from "vitest";
import { testPool } from "./fixtures/postgres.js";

describe("event-sourcing PostgresCheckpointStore on a real PostgreSQL", () => {
  it("ends a commit left idle past idleInTransactionTimeoutMs: UNAVAILABLE, nothing moved", async () => {
    const pool = testPool();
    const schema = uniqueName("idle")
      .replace(/[^A-Za-z0-9_]/g, "_")
      .toLowerCase();
    try {
      const store = new PostgresCheckpointStore({ pool, schema, idleInTransactionTimeoutMs: 200 });
      await store.commit("p", { from: 0, to: 1 }, async () => undefined);
      const error = await store
        .commit("p", { from: 1, to: 2 }, async (tx) => {
          await tx.client.query("SELECT 1");
          // A runner frozen mid-commit, as far as the server can tell.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          await tx.client.query("SELECT 1");
        })
        .catch((reason: unknown) => reason);
      expect(isAetherError(error) && [error.code, error.retryable]).toEqual(["UNAVAILABLE", true]);
      expect(await store.load("p")).toBe(1);
      await store.commit("p", { from: 1, to: 2 }, async () => undefined);
      expect(await store.load("p")).toBe(2);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it("ends a commit left idle past what was left of the runner's lease, under a longer idle timeout", async () => {
    const pool = testPool();
    const schema = uniqueName("lease")
      .replace(/[^A-Za-z0-9_]/g, "_")
      .toLowerCase();
    try {
      const store = new PostgresCheckpointStore({ pool, schema });
      await store.commit("p", { from: 0, to: 1 }, async () => undefined);
      const error = await store
        .commit("p", { from: 1, to: 2, heldForMs: 200 }, async (tx) => {
          await tx.client.query("SELECT 1");
          // Frozen past the lease, far short of the 30 s idleInTransactionTimeoutMs default.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          await tx.client.query("SELECT 1");
        })
        .catch((reason: unknown) => reason);
      expect(isAetherError(error) && [error.code, error.retryable]).toEqual(["UNAVAILABLE", true]);
      expect(await store.load("p")).toBe(1);
      await store.commit("p", { from: 1, to: 2, heldForMs: 200 }, async () => undefined);
      expect(await store.load("p")).toBe(2);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
