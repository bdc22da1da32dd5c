export { PostgresCheckpointStore } from "./postgresCheckpointStore.js";

export type {
  PgClient,
  PgPool,
  PostgresCheckpointStoreOptions,
  PostgresProjectionTx,
} from "./postgresCheckpointStore.js";
