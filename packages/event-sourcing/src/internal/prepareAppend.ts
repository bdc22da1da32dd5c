import {
  AetherError,
  AetherErrorCode,
  isoNow,
  parseNewEvent,
  type Clock,
  type Event,
  type NewEvent,
} from "@aether/kernel";

/** A batch checked for everything that does not depend on what is already stored. */
export interface PreparedAppend {
  actorId: string;
  /** The version the batch starts at; the store checks it against latest + 1. */
  firstVersion: number;
  /** Validated events, timestamps filled in. */
  events: Event[];
}

/**
 * Validates an append request: every event well-formed, one actor, consecutive versions. A gap or
 * repeat inside the batch is a malformed request (INVALID_ARGUMENT), not a race; whether the first
 * version follows the stored latest is the store's check.
 */
export function prepareAppend(events: readonly NewEvent[], clock: Clock): PreparedAppend {
  if (!Array.isArray(events) || events.length === 0) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      "saveEvents: events must be a non-empty array of one actor's events",
    );
  }
  const now = isoNow(clock);
  const prepared: Event[] = [];
  for (let index = 0; index < events.length; index++) {
    // `unknown`: callers outside TypeScript may pass anything, and Array.isArray widened the type.
    const input: unknown = events[index];
    let event: NewEvent;
    try {
      event = parseNewEvent(input);
    } catch (error) {
      if (events.length === 1) throw error;
      throw new AetherError(
        AetherErrorCode.InvalidEvent,
        `saveEvents: events[${index}]: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const first = prepared[0];
    if (first !== undefined && event.actorId !== first.actorId) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        `saveEvents: all events must belong to one actor; events[0] is for ${JSON.stringify(first.actorId)} but events[${index}] is for ${JSON.stringify(event.actorId)}`,
      );
    }
    if (first !== undefined && event.version !== first.version + index) {
      throw new AetherError(
        AetherErrorCode.InvalidArgument,
        `saveEvents: versions must be consecutive; events[${index}].version is ${event.version}, expected ${first.version + index}`,
      );
    }
    // parseNewEvent returned a fresh object, so filling it in cannot touch the caller's.
    event.timestamp ??= now;
    prepared.push(event as Event);
  }
  const head = prepared[0]!;
  return { actorId: head.actorId, firstVersion: head.version, events: prepared };
}

/** Validates a `fromVersion` argument: an integer >= 0 (0 and 1 both mean "from the start"). */
export function checkFromVersion(fromVersion: number | undefined): number {
  if (fromVersion === undefined) return 1;
  if (!Number.isInteger(fromVersion) || fromVersion < 0) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `fromVersion must be an integer >= 0, got ${String(fromVersion)}`,
    );
  }
  return Math.max(1, fromVersion);
}
