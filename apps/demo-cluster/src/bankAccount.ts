import { AetherError, AetherErrorCode } from "@aether/kernel";
import { defineActor } from "@aether/event-sourcing";

export type BankAccountCommand =
  | { type: "Open"; owner: string }
  | { type: "Deposit"; amount: number }
  | { type: "Withdraw"; amount: number };

export interface BankAccount {
  owner: string | undefined;
  balance: number;
}

/** Thrown by `decide` when a withdrawal would overdraw: a domain answer, not a failure. */
export class InsufficientFunds extends AetherError<typeof AetherErrorCode.InvalidArgument> {
  constructor(balance: number, amount: number) {
    super(AetherErrorCode.InvalidArgument, `Cannot withdraw ${amount}: the balance is ${balance}`);
    this.name = "InsufficientFunds";
  }
}

export const bankAccount = defineActor({
  name: "BankAccount",
  schemaVersion: 1,
  initialState: (): BankAccount => ({ owner: undefined, balance: 0 }),
  decide: (command: BankAccountCommand, state) => {
    switch (command.type) {
      case "Open":
        if (state.owner !== undefined) return [];
        return { eventType: "AccountOpened" as const, data: { owner: command.owner } };
      case "Deposit":
        return { eventType: "MoneyDeposited" as const, data: { amount: command.amount } };
      case "Withdraw":
        if (command.amount > state.balance)
          throw new InsufficientFunds(state.balance, command.amount);
        return { eventType: "MoneyWithdrawn" as const, data: { amount: command.amount } };
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
