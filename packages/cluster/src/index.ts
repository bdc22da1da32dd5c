export type { ShardLifecycleListener, ShardStopReason } from "./shardLifecycle.js";
