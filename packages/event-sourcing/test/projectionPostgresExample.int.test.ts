import { expectReadmeToShow, uniqueName } from "@aether/test-support";
import { describe, expect, inject, it } from "vitest";
import { testPool } from "./fixtures/postgres.js";

describe("event-sourcing README PostgreSQL projection example", () => {
  it("projects balances into PostgreSQL from a real nats-server", async () => {
    process.env["NATS_URL"] = inject("natsUrl");
    const schema = uniqueName("example")
      .replace(/[^A-Za-z0-9_]/g, "_")
      .toLowerCase();
    process.env["EXAMPLE_SCHEMA"] = schema;
    const pool = testPool();
    try {
      const { result } = await import("../examples/projectionPostgres.js");
      expect(result).toEqual([
        { actor_id: "acc-1", total: "100" },
        { actor_id: "acc-2", total: "20" },
      ]);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/projectionPostgres.ts", import.meta.url),
    );
  });
});
