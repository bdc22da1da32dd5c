import { PostgresCheckpointStore } from "@aether/event-sourcing/postgres";
import { isAetherError } from "@aether/kernel";
import { uniqueName } from "@aether/test-support";
import { describe, expect, it } from "vitest";
import { testPool } from "./fixtures/postgres.js";

/**
 * A runner frozen mid-commit, as far as the server can tell: the commit must end UNAVAILABLE with
 * nothing moved, and the next commit from the same position must go through.
 */
async function expectFrozenCommitEnded(
  prefix: string,
  options: { idleInTransactionTimeoutMs?: number },
  bound: { heldForMs?: number },
): Promise<void> {
  const pool = testPool();
  const schema = uniqueName(prefix)
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();
  try {
    const store = new PostgresCheckpointStore({ pool, schema, ...options });
    await store.commit("p", { from: 0, to: 1 }, async () => undefined);
    const error = await store
      .commit("p", { from: 1, to: 2, ...bound }, async (tx) => {
        await tx.client.query("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await tx.client.query("SELECT 1");
      })
      .catch((reason: unknown) => reason);
    expect(isAetherError(error) && [error.code, error.retryable]).toEqual(["UNAVAILABLE", true]);
    expect(await store.load("p")).toBe(1);
    await store.commit("p", { from: 1, to: 2, ...bound }, async () => undefined);
    expect(await store.load("p")).toBe(2);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

describe("event-sourcing PostgresCheckpointStore on a real PostgreSQL", () => {
  it("ends a commit left idle past idleInTransactionTimeoutMs: UNAVAILABLE, nothing moved", async () => {
    await expectFrozenCommitEnded("idle", { idleInTransactionTimeoutMs: 200 }, {});
  });

  it("ends a commit left idle past what was left of the runner's lease, under a longer idle timeout", async () => {
    // Frozen past the lease, far short of the 30 s idleInTransactionTimeoutMs default.
    await expectFrozenCommitEnded("lease", {}, { heldForMs: 200 });
  });
});
