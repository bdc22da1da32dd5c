import { isRetryable } from "@aether/kernel";
import type { BankAccountCommand } from "../domain/bankAccount.js";
import type { AccountResult } from "./accountOwner.js";
import { RuntimeError } from "./runtimeError.js";

export interface RouteCommandOptions {
  actorId: string;
  command: BankAccountCommand;
  commandId: string;
  timeoutMs: number;
  shardFor: (actorId: string) => number;
  mapVersion: () => number;
  /** Sends to the current owner; undefined when the map names none; must honour `remainingMs`. */
  toOwner: (remainingMs: number) => Promise<AccountResult> | undefined;
}

const RETRY_PAUSE_MS = 25;

/**
 * Sends a command to the owner of the actor's shard, re-reading the map and trying again while the
 * answer is "not serving" (or no owner is known) until the deadline. A domain refusal is final.
 */
export async function routeCommand(options: RouteCommandOptions): Promise<AccountResult> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const pending = options.toOwner(remaining);
    if (pending !== undefined) {
      try {
        return await pending;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        lastError = error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_PAUSE_MS, remaining)));
  }
  const shardId = options.shardFor(options.actorId);
  const mapVersion = options.mapVersion();
  throw new RuntimeError(
    "NO_OWNER",
    `No node served shard ${shardId} of actor ${JSON.stringify(options.actorId)} within ${options.timeoutMs} ms (map version ${mapVersion})`,
    { shardId, mapVersion, cause: lastError instanceof Error ? lastError.message : undefined },
  );
}

/** Rejects with a retryable NO_OWNER when `promise` has not settled within `ms`. */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RuntimeError("NO_OWNER", `${what} did not answer within ${ms} ms`, {})),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
