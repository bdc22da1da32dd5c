import { AetherError, defineErrorCodes, type ErrorCodeOf } from "@aether/kernel";

/** The bank's refusals. `status` is where the HTTP edge maps each one. */
export const bankErrorCodes = defineErrorCodes({
  AccountNotOpen: { code: "ACCOUNT_NOT_OPEN", retryable: false },
  AccountAlreadyOpen: { code: "ACCOUNT_ALREADY_OPEN", retryable: false },
  InsufficientFunds: { code: "INSUFFICIENT_FUNDS", retryable: false },
  AmountOverLimit: { code: "AMOUNT_OVER_LIMIT", retryable: false },
  SameAccount: { code: "SAME_ACCOUNT", retryable: false },
});
export type BankErrorCode = ErrorCodeOf<typeof bankErrorCodes>;

const codeStrings: ReadonlySet<string> = new Set(
  Object.values(bankErrorCodes).map((entry) => entry.code),
);

/** A command the bank refuses: a domain answer carrying the actor's message, not a failure. */
export class BankError extends AetherError<BankErrorCode, false> {
  constructor(code: BankErrorCode, message: string) {
    super(code, message, { codes: bankErrorCodes });
    this.name = "BankError";
  }
}

/** Recognises a refusal also when it crossed a process boundary as `{ code, message }`. */
export function isBankErrorCode(code: unknown): code is BankErrorCode {
  return typeof code === "string" && codeStrings.has(code);
}
