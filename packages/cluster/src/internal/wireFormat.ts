import { Buffer } from "node:buffer";
import type { StoredEvent } from "@aether/event-sourcing";

/** A command on its way to the actor's owner. */
export interface CommandRequest {
  readonly actorType: string;
  readonly actorId: string;
  readonly commandId: string;
  /** How long the sender still waits, in ms; the owner skips the command once that has passed. */
  readonly ttlMs: number;
  readonly command: unknown;
}

/** The owner's answer to a handled command. */
export interface CommandOutcome {
  readonly state: unknown;
  readonly version: number;
  readonly events: StoredEvent<never>[] | unknown[];
  /** True when the command id had been applied before and nothing was appended now. */
  readonly duplicate: boolean;
}

/** A refusal or failure on the owner, as the sender rebuilds it. */
export interface FailureBody {
  readonly message: string;
  readonly details: Record<string, unknown>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The request as JSON text with the command already serialised once; only the ttl changes
 * between attempts.
 */
export function requestText(
  head: Omit<CommandRequest, "command" | "ttlMs">,
  ttlMs: number,
  commandJson: string,
): string {
  return `{"t":${JSON.stringify(head.actorType)},"a":${JSON.stringify(head.actorId)},"i":${JSON.stringify(head.commandId)},"l":${ttlMs},"c":${commandJson}}`;
}

export function decodeRequest(body: Uint8Array): CommandRequest {
  const raw = JSON.parse(decoder.decode(body)) as Record<string, unknown>;
  const { t, a, i, l, c } = raw;
  if (typeof t !== "string" || typeof a !== "string" || typeof i !== "string") {
    throw new TypeError("a command request needs string t, a and i");
  }
  if (typeof l !== "number") throw new TypeError("a command request needs a numeric ttl l");
  return { actorType: t, actorId: a, commandId: i, ttlMs: l, command: c };
}

export function outcomeText(outcome: CommandOutcome): string {
  return JSON.stringify({
    s: outcome.state,
    v: outcome.version,
    e: outcome.events,
    d: outcome.duplicate,
  });
}

export function parseOutcome(text: string): CommandOutcome {
  const raw = JSON.parse(text) as { s: unknown; v: number; e: unknown[]; d: boolean };
  return { state: raw.s, version: raw.v, events: raw.e, duplicate: raw.d };
}

export function failureText(failure: FailureBody): string {
  return JSON.stringify({ m: failure.message, d: failure.details });
}

export function parseFailure(text: string): FailureBody {
  try {
    const raw = JSON.parse(text) as { m?: unknown; d?: unknown };
    return {
      message: typeof raw.m === "string" ? raw.m : text,
      details:
        typeof raw.d === "object" && raw.d !== null ? (raw.d as Record<string, unknown>) : {},
    };
  } catch {
    return { message: text, details: {} };
  }
}

export const encodeText = (text: string): Uint8Array => encoder.encode(text);
export const decodeText = (body: Uint8Array): string => decoder.decode(body);
export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");
