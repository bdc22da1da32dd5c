import {
  AetherError,
  AetherErrorCode,
  describeIssues,
  eventSchema,
  parseNewEvent,
  type Event,
} from "@aether/kernel";
import { Utf8Pool } from "../internal/utf8Pool.js";

/** The header that names the publishing node, so a node recognises its own events coming back. */
export const NODE_ID_HEADER = "Aether-Node-Id";

const pool = new Utf8Pool();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Marks a message with this bus's own per-message number (see OwnHeaders); other nodes ignore it.
 */
export const ECHO_HEADER = "Aether-Echo";

/**
 * The event as UTF-8 JSON, encoded once per publish whatever the number of receivers. The event
 * is first checked as every node will check it on receipt (the kernel's envelope and JSON rule),
 * so what local subscribers get, the other nodes get too.
 */
export function encodeEvent(event: Event): Uint8Array {
  const checked = checkEvent(event);
  if ("message" in checked) {
    const id = (event as { id?: unknown } | null | undefined)?.id;
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `Event ${typeof id === "string" ? id : "without an id"} cannot be published: ${checked.message}`,
      { cause: checked.cause, details: { eventId: id } },
    );
  }
  return pool.encode(JSON.stringify(event));
}

/** `input` as a complete event by the kernel's schema, or why it is not one. */
function checkEvent(input: unknown): { event: Event } | { message: string; cause?: unknown } {
  try {
    const event = parseNewEvent(input);
    if (event.timestamp !== undefined) return { event: event as Event };
  } catch {
    // eventSchema words the problem below.
  }
  const result = eventSchema.safeParse(input);
  return result.success
    ? { message: "Invalid event: timestamp: missing" }
    : { message: `Invalid event: ${describeIssues(result.error)}`, cause: result.error };
}

/**
 * Parses and validates a message from another node against the kernel's event schema (through
 * the kernel's hand-written fast path, which agrees with it); throws `INVALID_EVENT` saying what
 * is wrong.
 */
export function decodeEvent(data: Uint8Array): Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new AetherError(AetherErrorCode.InvalidEvent, "Message is not UTF-8 JSON", {
      cause: error,
    });
  }
  const checked = checkEvent(parsed);
  if ("event" in checked) return checked.event;
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `Message is not an event: ${checked.message}`,
    {
      cause: checked.cause,
    },
  );
}
