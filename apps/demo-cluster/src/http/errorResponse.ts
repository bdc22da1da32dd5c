import { isAetherError, isRetryable } from "@aether/kernel";
import type { BankErrorCode } from "../domain/bankError.js";
import { isBankErrorCode } from "../domain/bankError.js";
import type { CommandOutcome } from "./nodeMetrics.js";

export interface ErrorResponse {
  status: 404 | 409 | 422 | 500 | 503;
  outcome: CommandOutcome;
  body: { error: string; message: string; details?: Readonly<Record<string, unknown>> };
  retryAfterSeconds?: number;
}

const bankStatus: Record<BankErrorCode, 404 | 409 | 422> = {
  // A command to an account nobody opened: the actor is unknown.
  ACCOUNT_NOT_OPEN: 404,
  ACCOUNT_ALREADY_OPEN: 409,
  INSUFFICIENT_FUNDS: 409,
  AMOUNT_OVER_LIMIT: 422,
  SAME_ACCOUNT: 422,
};

/** Where each error family lands at the HTTP edge; the domain never sees a status code. */
export function errorResponse(error: unknown): ErrorResponse {
  if (isAetherError(error)) {
    const body = { error: error.code, message: error.message, details: error.details };
    if (isBankErrorCode(error.code))
      return { status: bankStatus[error.code], outcome: "refused", body };
    if (error.code === "VERSION_CONFLICT") return { status: 409, outcome: "refused", body };
    if (isRetryable(error))
      return { status: 503, outcome: "unavailable", body, retryAfterSeconds: 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, outcome: "error", body: { error: "INTERNAL", message } };
}
