import type { Event } from "@aether/kernel";
import type { StoredMessage } from "@aether/nats/jetstream";
import type { ReplayError } from "../../../eventStore.js";
import { historyGapError } from "../../../eventSourcingError.js";
import { PREV_HEADER } from "./chainLinks.js";
import { decodeEvents, rawText } from "./eventCodec.js";

/**
 * The one rule that turns an actor's messages, in stream order, into its history: an event is
 * accepted when it decodes, belongs to the actor, and has exactly the next version. Anything
 * else is reported: undecodable messages, events of another actor, a second claim on a version
 * (the first by stream sequence wins, whatever wrote the second: a raw publish, or two appends
 * accepted together on a clustered nats-server < 2.9.21, nats-server#4320) and versions that skip
 * ahead in a message the store did not write. A message the store wrote that skips ahead means
 * the versions in between were stored and are gone: that is a gap (`missingVersions`), and the
 * history goes on beyond it, so readers can fail loudly instead of returning a shorter history. The rule is a left fold, so every reader that applies it agrees, and appends made
 * through the store (one message each, OCC-checked) are always accepted whole.
 */
export class HistoryFold {
  readonly #actorId: string;
  readonly #fromVersion: number;
  #latest = 0;

  constructor(actorId: string, fromVersion: number) {
    this.#actorId = actorId;
    this.#fromVersion = fromVersion;
  }

  /** The last accepted version so far; 0 before any. */
  get latestVersion(): number {
    return this.#latest;
  }

  /**
   * Folds in the next message: pushes the events it adds to the history (from `fromVersion` on)
   * onto `into`, and returns an error when part or all of it is not history.
   */
  add(message: StoredMessage, into: Event[]): ReplayError | undefined {
    const decoded = decodeEvents(message.data, this.#actorId);
    if (!decoded.ok) return this.#error(message, decoded.error);
    const first = decoded.events[0]!.version;
    // The store wrote this message (it carries links) after checking that it follows the actor's
    // last message, so versions it skips were stored once and are gone: a gap, reported, and the
    // history goes on beyond it, never silently ending here.
    if (first > this.#latest + 1 && message.header(PREV_HEADER) !== undefined) {
      const missing = { from: this.#latest + 1, to: first - 1 };
      this.#latest = first - 1;
      this.#add(decoded.events, into);
      return {
        ...this.#error(message, historyGapError(this.#actorId, missing).message),
        missingVersions: missing,
      };
    }
    return this.#add(decoded.events, into, message);
  }

  #add(events: readonly Event[], into: Event[], message?: StoredMessage): ReplayError | undefined {
    let refused: string[] | undefined;
    for (const event of events) {
      if (event.version === this.#latest + 1) {
        this.#latest = event.version;
        if (event.version >= this.#fromVersion) into.push(event);
      } else {
        refused ??= [];
        refused.push(
          event.version <= this.#latest
            ? `version ${event.version} is already stored earlier in the stream (the first by stream sequence wins)`
            : `version ${event.version} does not follow the latest stored version ${this.#latest}`,
        );
      }
    }
    if (refused === undefined || message === undefined) return undefined;
    return this.#error(message, refused.join("; "));
  }

  #error(message: StoredMessage, error: string): ReplayError {
    return { sequence: message.seq, raw: rawText(message.data), error };
  }
}
