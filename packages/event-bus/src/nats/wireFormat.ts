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

/** The event as UTF-8 JSON: encoded once per publish, whatever the number of receivers. */
export function encodeEvent(event: Event): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch (error) {
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `Event ${String(event?.id)} cannot be sent to other nodes: it is not JSON-serialisable`,
      { cause: error, details: { eventId: event?.id } },
    );
  }
  if (json === undefined) {
    throw new AetherError(AetherErrorCode.InvalidEvent, "An event must be an object");
  }
  return pool.encode(json);
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
  let event: Event | undefined;
  try {
    const candidate = parseNewEvent(parsed);
    if (candidate.timestamp !== undefined) event = candidate as Event;
  } catch {
    // eventSchema words the problem below.
  }
  if (event !== undefined) return event;
  const result = eventSchema.safeParse(parsed);
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `Message is not an event: ${result.success ? "timestamp: missing" : describeIssues(result.error)}`,
    result.success ? {} : { cause: result.error },
  );
}
