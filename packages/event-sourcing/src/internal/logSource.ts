import { AetherError, AetherErrorCode, type Event, type Logger } from "@aether/kernel";
import type {
  AllEventsPage,
  PositionedEvent,
  ReadAllOptions,
  ReadAllPageOptions,
} from "../allEvents.js";
import type { ReplayError } from "../eventStore.js";

/** One position of a namespace's log: the events of one append, or an entry that is not one. */
export type LogEntry =
  | { position: number; events: readonly Event[]; error?: undefined }
  | { position: number; events?: undefined; error: ReplayError };

/** Entries that arrived together; `atHead` when no stored entry followed them at that moment. */
export interface LogChunk {
  entries: LogEntry[];
  atHead: boolean;
}

/**
 * How a store exposes its namespace-wide log: entries in position order from `from`, in chunks.
 * Without `live` the read ends at the head; with it, it waits for new entries until `signal`
 * aborts. A source reads only as fast as it is iterated.
 */
export type LogSource = (options: {
  from: number;
  live: boolean;
  signal: AbortSignal;
}) => AsyncIterable<LogChunk>;

/** A read's `from` as the first position to read; 0 and 1 both mean the beginning. */
export function checkFromPosition(from: number | undefined): number {
  const value = from ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `from must be a position (an integer >= 0), got ${String(from)}`,
    );
  }
  return Math.max(1, value);
}

/** Every event of the log from `options.from` to the head, as `readAll` of every store. */
export async function* readAllOf(
  source: LogSource,
  options: ReadAllOptions,
  logger: Logger,
): AsyncGenerator<PositionedEvent> {
  const from = checkFromPosition(options.from);
  const onError =
    options.onError ??
    ((error: ReplayError) =>
      logger.warn(
        { position: error.sequence, error: error.error },
        "skipped a stored entry that is not an event (pass onError to readAll to receive it)",
      ));
  const abort = new AbortController();
  try {
    for await (const chunk of source({ from, live: false, signal: abort.signal })) {
      for (const entry of chunk.entries) {
        if (entry.error !== undefined) {
          onError(entry.error);
          continue;
        }
        for (const event of entry.events) yield { position: entry.position, event };
      }
    }
  } finally {
    abort.abort();
  }
}

/** One page of the log, as `getAllEventsWithErrors` of every store. */
export async function readAllPageOf(
  source: LogSource,
  options: ReadAllPageOptions,
): Promise<AllEventsPage> {
  const from = checkFromPosition(options.from);
  const limit = options.limit ?? 1000;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `limit must be an integer >= 1, got ${String(options.limit)}`,
    );
  }
  const page: AllEventsPage = { events: [], errors: [], nextPosition: from };
  let read = 0;
  const abort = new AbortController();
  try {
    reading: for await (const chunk of source({ from, live: false, signal: abort.signal })) {
      for (const entry of chunk.entries) {
        if (entry.error !== undefined) page.errors.push(entry.error);
        else
          for (const event of entry.events) page.events.push({ position: entry.position, event });
        page.nextPosition = entry.position + 1;
        if (++read === limit) break reading;
      }
    }
  } finally {
    abort.abort();
  }
  return page;
}
