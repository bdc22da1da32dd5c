import { startProjection } from "@aether/event-sourcing";
import { JetStreamEventStore, KvProjectionLease } from "@aether/event-sourcing/jetstream";
import { PostgresCheckpointStore } from "@aether/event-sourcing/postgres";
import { connect } from "@nats-io/transport-node";
import pg from "pg";

const nc = await connect({
  servers: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222",
  noAsyncTraces: true,
});
const pool = new pg.Pool({ host: "127.0.0.1", user: "postgres", database: "test" });
const schema = process.env["EXAMPLE_SCHEMA"] ?? "ledger";
await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
await pool.query(
  `CREATE TABLE IF NOT EXISTS ${schema}.balances (actor_id text PRIMARY KEY, total bigint NOT NULL)`,
);

const store = new JetStreamEventStore(nc, { namespace: "ledger" });
for (const [actorId, amount] of [
  ["acc-1", 100],
  ["acc-2", 20],
] as const) {
  const version = (await store.getLatestVersion(actorId)) + 1;
  await store.saveEvent({
    id: `${actorId}-${version}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { amount },
  });
}

const runner = startProjection({
  store,
  // The checkpoint row moves in the same transaction as the projection's writes.
  checkpoints: new PostgresCheckpointStore({ pool, schema }),
  // One active runner per projection name across processes; another one waits and takes over.
  lease: new KvProjectionLease(nc, { namespace: "ledger" }),
  projection: {
    name: "balances",
    eventTypes: ["Deposited"],
    async handle(event, tx) {
      const { amount } = event.data as { amount: number };
      await tx.client.query(
        `INSERT INTO ${schema}.balances (actor_id, total) VALUES ($1, $2)
         ON CONFLICT (actor_id) DO UPDATE SET total = balances.total + excluded.total`,
        [event.actorId, amount],
      );
    },
    async reset(tx) {
      await tx.client.query(`DELETE FROM ${schema}.balances`);
    },
  },
});
await runner.whenLive();
const { rows } = await pool.query(
  `SELECT actor_id, total FROM ${schema}.balances ORDER BY actor_id`,
);
await runner.stop();
await pool.end();
await nc.drain();
export const result = rows; // [{ actor_id: "acc-1", total: "100" }, { actor_id: "acc-2", total: "20" }]
