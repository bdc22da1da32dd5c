import type { Event } from "@aether/kernel";
import type { BankAccount } from "../domain/bankAccount.js";

/** What a command returns, wherever it was sent from. */
export interface AccountResult {
  actorId: string;
  state: BankAccount;
  version: number;
  /** The events this command appended (for a repeated commandId: the ones it appended the first time). */
  events: Event[];
  commandId: string;
  /** The node the shard map gave the actor to when the answer came back. */
  servedBy: string | null;
  /** True when the commandId had been applied before and nothing was appended now. */
  repeated: boolean;
}
