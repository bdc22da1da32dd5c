import { AetherError, defineErrorCodes, type AetherErrorOptions } from "@aether/kernel";
import type { ErrorCodeOf, RetryableErrorCodeOf } from "@aether/kernel";

/** The failures only event stores report, beside the kernel's codes. */
export const eventSourcingErrorCodes = defineErrorCodes({
  /**
   * Events the store once acknowledged are missing from an actor's history (a stream limit
   * discarded them, or a replica lost them). `details`: `actorId`, `firstMissingVersion`,
   * `lastMissingVersion`. Retrying reads the same hole: restore the events, or decide what the
   * actor should be without them.
   */
  HistoryGap: { code: "HISTORY_GAP", retryable: false },
  /**
   * The stream refused an append because one of its limits is reached (`discard: new`);
   * `details.limit` names it (`max_msgs`, `max_bytes`, `max_msgs_per_subject`, an account limit).
   */
  StreamLimitReached: { code: "STREAM_LIMIT_REACHED", retryable: false },
  /** The namespace's stream no longer exists (deleted under the store). */
  StreamNotFound: { code: "STREAM_NOT_FOUND", retryable: false },
});

export type EventSourcingErrorCode = ErrorCodeOf<typeof eventSourcingErrorCodes>;

/** An error with one of {@link eventSourcingErrorCodes}; `isAetherError(e, "HISTORY_GAP")` matches it. */
export class EventSourcingError<
  C extends EventSourcingErrorCode = EventSourcingErrorCode,
> extends AetherError<
  C,
  C extends RetryableErrorCodeOf<typeof eventSourcingErrorCodes> ? true : false
> {
  constructor(code: C, message: string, options: Omit<AetherErrorOptions, "codes"> = {}) {
    super(code, message, { ...options, codes: eventSourcingErrorCodes });
    this.name = "EventSourcingError";
  }
}

/** The HISTORY_GAP error for `actorId`, naming the missing versions. */
export function historyGapError(
  actorId: string,
  missing: { from: number; to: number },
): EventSourcingError<"HISTORY_GAP"> {
  const versions =
    missing.from === missing.to
      ? `version ${missing.from} is`
      : `versions ${missing.from}–${missing.to} are`;
  return new EventSourcingError(
    "HISTORY_GAP",
    `The history of actor ${JSON.stringify(actorId)} has a gap: ${versions} missing (acknowledged once, no longer stored; first missing version ${missing.from}). getEventsWithErrors shows what lies beyond it`,
    { details: { actorId, firstMissingVersion: missing.from, lastMissingVersion: missing.to } },
  );
}
