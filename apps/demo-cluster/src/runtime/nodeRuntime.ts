import type { BankAccountCommand } from "../domain/bankAccount.js";
import type { AccountResult } from "./accountResult.js";
import type { ClusterView } from "./clusterView.js";

export interface SendOptions {
  /** Makes the command idempotent. @default a new id */
  commandId?: string;
  /** How long to look for the owner and wait for its answer. @default 10_000 */
  timeoutMs?: number;
}

/**
 * The one seam between the app and the cluster: membership, shard map and command routing of one
 * node. Everything above it (HTTP API, dashboard, read model, load) is the same in every mode.
 */
export interface NodeRuntime {
  readonly nodeId: string;
  send(actorId: string, command: BankAccountCommand, options?: SendOptions): Promise<AccountResult>;
  view(): ClusterView;
  shardFor(actorId: string): number;
  ownerOf(actorId: string): string | undefined;
  /** Joined and the shard map is known: ready to take traffic. */
  isReady(): boolean;
  /** Cache hits and misses of the owner side so far. */
  cacheStats(): { hits: number; misses: number };
  /** Graceful: hand the shards over, deregister (the others see NodeLeft). */
  leave(): Promise<void>;
  /** Stop without a handover. */
  close(): Promise<void>;
}
