import { parseNewEvent, type Event } from "@aether/kernel";
import { jsonBytes } from "../client/jsonBytes.js";

const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder("utf-8");

/**
 * The body of one append: a single event as a JSON object, a batch as a JSON array, so the
 * common case reads naturally to any other consumer of the stream.
 */
export function encodeEvents(events: readonly Event[]): Uint8Array {
  return jsonBytes(events.length === 1 ? events[0] : events);
}

export type DecodedEvents = { ok: true; events: Event[] } | { ok: false; error: string };

/**
 * Reads one stored message back as the events of `actorId`: well-formed JSON, every event valid,
 * all of this actor (the subject alone does not prove it: long ids share a hashed token), and
 * consecutive versions.
 */
export function decodeEvents(data: Uint8Array, actorId: string): DecodedEvents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictDecoder.decode(data));
  } catch (error) {
    return { ok: false, error: `invalid JSON: ${(error as Error).message}` };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) return { ok: false, error: "an empty batch" };
  const events: Event[] = [];
  for (const [index, item] of items.entries()) {
    const where = Array.isArray(parsed) ? `events[${index}]: ` : "";
    let event: Event;
    try {
      // The kernel's own validation (with its fast path), plus the timestamp a stored event has.
      event = parseNewEvent(item) as Event;
    } catch (error) {
      return { ok: false, error: `${where}${(error as Error).message}` };
    }
    if (event.timestamp === undefined) {
      return {
        ok: false,
        error: `${where}Invalid event: timestamp: must be an ISO-8601 date-time`,
      };
    }
    if (event.actorId !== actorId) {
      return {
        ok: false,
        error: `${where}belongs to actor ${JSON.stringify(event.actorId)}, not ${JSON.stringify(actorId)}`,
      };
    }
    const previous = events[index - 1];
    if (previous !== undefined && event.version !== previous.version + 1) {
      return {
        ok: false,
        error: `${where}version ${event.version} does not follow version ${previous.version} in the same batch`,
      };
    }
    events.push(event);
  }
  return { ok: true, events };
}

/** The stored bytes as text for a ReplayError; undecodable bytes become U+FFFD. */
export function rawText(data: Uint8Array): string {
  return lenientDecoder.decode(data);
}
