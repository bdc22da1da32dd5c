import { defineActor } from "@aether/event-sourcing";
import { BankError } from "./bankError.js";

/** The most one command may move; a domain rule, so breaking it is a refusal (422), not a 400. */
export const MAX_AMOUNT = 1_000_000;

export type BankAccountCommand =
  | { type: "Open"; owner: string }
  | { type: "Deposit"; amount: number; transferId?: string }
  /** `to`: the transfer's target, kept in the event so an unfinished transfer can be finished later. */
  | { type: "Withdraw"; amount: number; transferId?: string; to?: string };

export interface BankAccount {
  owner: string | undefined;
  balance: number;
}

function checkAmount(amount: number): void {
  if (amount > MAX_AMOUNT) {
    throw new BankError("AMOUNT_OVER_LIMIT", `Amount ${amount} is over the limit of ${MAX_AMOUNT}`);
  }
}

function requireOpen(state: BankAccount): void {
  if (state.owner === undefined) {
    throw new BankError("ACCOUNT_NOT_OPEN", "The account is not open");
  }
}

// A transfer's steps carry its id in the event, so the read model can tell money in transit from
// money created or destroyed.
function transferData(amount: number, transferId: string | undefined) {
  return transferId === undefined ? { amount } : { amount, transferId };
}

export const bankAccount = defineActor({
  name: "BankAccount",
  schemaVersion: 1,
  initialState: (): BankAccount => ({ owner: undefined, balance: 0 }),
  decide: (command: BankAccountCommand, state) => {
    switch (command.type) {
      case "Open":
        if (state.owner !== undefined) {
          throw new BankError(
            "ACCOUNT_ALREADY_OPEN",
            `The account is already open for ${state.owner}`,
          );
        }
        return { eventType: "AccountOpened" as const, data: { owner: command.owner } };
      case "Deposit":
        requireOpen(state);
        checkAmount(command.amount);
        return {
          eventType: "MoneyDeposited" as const,
          data: transferData(command.amount, command.transferId),
        };
      case "Withdraw":
        requireOpen(state);
        checkAmount(command.amount);
        if (command.amount > state.balance) {
          throw new BankError(
            "INSUFFICIENT_FUNDS",
            `Cannot withdraw ${command.amount}: the balance is ${state.balance}`,
          );
        }
        return {
          eventType: "MoneyWithdrawn" as const,
          data:
            command.to === undefined
              ? transferData(command.amount, command.transferId)
              : { ...transferData(command.amount, command.transferId), to: command.to },
        };
    }
  },
  evolve: (state, event): BankAccount => {
    switch (event.eventType) {
      case "AccountOpened":
        return { ...state, owner: event.data.owner };
      case "MoneyDeposited":
        return { ...state, balance: state.balance + event.data.amount };
      case "MoneyWithdrawn":
        return { ...state, balance: state.balance - event.data.amount };
    }
  },
});

export type BankAccountEventType = "AccountOpened" | "MoneyDeposited" | "MoneyWithdrawn";
