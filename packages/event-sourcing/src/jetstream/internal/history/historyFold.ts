import type { Event } from "@aether/kernel";
import type { StoredMessage } from "@aether/nats/jetstream";
import type { ReplayError } from "../../../eventStore.js";
import { decodeEvents, rawText } from "./eventCodec.js";

/**
 * The one rule that turns an actor's messages, in stream order, into its history: an event is
 * accepted when it decodes, belongs to the actor, and has exactly the next version. Anything
 * else is reported: undecodable messages, events of another actor, a second claim on a version
 * (the first by stream sequence wins, whatever wrote the second: a raw publish, or two appends
 * accepted together on a clustered nats-server < 2.9.21, nats-server#4320) and versions that skip
 * ahead. The rule is a left fold, so every reader that applies it agrees, and appends made
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
    let refused: string[] | undefined;
    for (const event of decoded.events) {
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
    return refused === undefined ? undefined : this.#error(message, refused.join("; "));
  }

  #error(message: StoredMessage, error: string): ReplayError {
    return { sequence: message.seq, raw: rawText(message.data), error };
  }
}
