import { createId, isRetryable } from "@aether/kernel";
import type { AccountResult } from "../runtime/accountResult.js";
import type { BankAccountCommand } from "./bankAccount.js";
import { BankError } from "./bankError.js";

export interface TransferRequest {
  from: string;
  to: string;
  amount: number;
  /** Makes the whole transfer idempotent: its steps' commandIds derive from it. @default a new id */
  transferId?: string;
}

export interface TransferOutcome {
  transferId: string;
  /** `refunded`: the deposit was refused, so the compensating deposit gave the money back. */
  status: "completed" | "refunded";
  withdraw: AccountResult;
  deposit?: AccountResult;
  refund?: AccountResult;
  /** Why the deposit was refused, for a refunded transfer. */
  reason?: string;
}

export type SendCommand = (
  actorId: string,
  command: BankAccountCommand,
  options: { commandId: string; timeoutMs?: number },
) => Promise<AccountResult>;

export interface TransferOptions {
  /** Per step; a step that times out is sent again with the same commandId. @default 5_000 */
  timeoutMs?: number;
  /** How long the deposit and the refund keep being retried once the money has left. @default 30_000 */
  settleWithinMs?: number;
}

/**
 * A transfer between two accounts that usually live on different nodes, as a small saga: withdraw
 * from the source, then deposit to the target; a refused deposit is compensated by depositing the
 * amount back to the source. Every step is a command with a commandId derived from the transfer's
 * id, so a step sent twice (a timeout, a failover, the same transfer submitted again) applies once.
 */
export async function transfer(
  send: SendCommand,
  request: TransferRequest,
  options: TransferOptions = {},
): Promise<TransferOutcome> {
  const { from, to, amount } = request;
  if (from === to) throw new BankError("SAME_ACCOUNT", `Cannot transfer from ${from} to itself`);
  const transferId = request.transferId ?? createId();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const settleBy = Date.now() + (options.settleWithinMs ?? 30_000);
  const step = (actorId: string, command: BankAccountCommand, name: string) =>
    send(actorId, command, { commandId: `${transferId}:${name}`, timeoutMs });

  // A refused withdrawal (insufficient funds) ends the transfer with nothing moved. One that timed
  // out may still have applied, so it is sent again (same commandId) until its outcome is known.
  const withdraw = await untilSettled(settleBy, () =>
    step(from, { type: "Withdraw", amount, transferId, to }, "withdraw"),
  );
  return { withdraw, ...(await finishTransfer(send, { from, to, amount, transferId }, options)) };
}

/**
 * The part of a transfer after its withdrawal: deposit, or refund when the deposit is refused.
 * Safe to run again, also from another node (the recovery of a transfer left unfinished): the
 * commandIds make each step apply once.
 */
export async function finishTransfer(
  send: SendCommand,
  request: Required<TransferRequest>,
  options: TransferOptions = {},
): Promise<Omit<TransferOutcome, "withdraw">> {
  const { from, to, amount, transferId } = request;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const settleBy = Date.now() + (options.settleWithinMs ?? 30_000);
  const step = (actorId: string, command: BankAccountCommand, name: string) =>
    send(actorId, command, { commandId: `${transferId}:${name}`, timeoutMs });
  try {
    const deposit = await untilSettled(settleBy, () =>
      step(to, { type: "Deposit", amount, transferId }, "deposit"),
    );
    return { transferId, status: "completed", deposit };
  } catch (error) {
    if (isRetryable(error)) throw error;
    const refund = await untilSettled(settleBy, () =>
      step(from, { type: "Deposit", amount, transferId }, "refund"),
    );
    return {
      transferId,
      status: "refunded",
      refund,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

// Once money has left the source, giving up would strand it: a step that may have applied is sent
// again (same commandId, so at most once) until it answers or the settle deadline passes.
async function untilSettled<T>(settleBy: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || Date.now() >= settleBy) throw error;
    }
  }
}
