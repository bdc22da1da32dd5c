import { actorIdFromToken, actorSubject } from "@aether/namespace/naming";
import type { LogEntry } from "../../internal/logSource.js";
import type { StoredMessage } from "@aether/nats/jetstream";
import { decodeEvents, rawText } from "./history/eventCodec.js";

/** Subjects whose actor id is remembered; a namespace with more actors just decodes tokens again. */
const REMEMBERED_SUBJECTS = 10_000;

/**
 * Turns messages of a namespace's stream into log entries without knowing their actor up front:
 * the actor id comes from the subject's token (or, for a hashed long-id token, from the message
 * itself, checked against the subject), and the message must then decode as that actor's events
 * by the same rule as every other read. What does not is a malformed entry at its position.
 */
export class NamespaceCodec {
  readonly #namespace: string;
  readonly #prefix: string;
  readonly #actorBySubject = new Map<string, string | undefined>();

  constructor(namespace: string) {
    this.#namespace = namespace;
    this.#prefix = `aether.events.${namespace}.`;
  }

  decode(message: StoredMessage): LogEntry {
    const actorId = this.#actorOf(message);
    if (actorId === undefined) {
      return this.#malformed(
        message,
        `does not decode as an event of the actor its subject ${message.subject} names`,
      );
    }
    const decoded = decodeEvents(message.data, actorId);
    if (!decoded.ok) return this.#malformed(message, decoded.error);
    return { position: message.seq, events: decoded.events };
  }

  #actorOf(message: StoredMessage): string | undefined {
    const { subject } = message;
    if (this.#actorBySubject.has(subject)) return this.#actorBySubject.get(subject);
    if (!subject.startsWith(this.#prefix)) return undefined;
    const actorId =
      actorIdFromToken(subject.slice(this.#prefix.length)) ?? this.#claimedActor(message);
    // Hashed tokens are not remembered: the claim is the message's, not the subject's.
    if (actorId !== undefined && !this.#isHashedClaim(subject, actorId)) {
      if (this.#actorBySubject.size >= REMEMBERED_SUBJECTS) this.#actorBySubject.clear();
      this.#actorBySubject.set(subject, actorId);
    }
    return actorId;
  }

  #isHashedClaim(subject: string, actorId: string): boolean {
    return actorIdFromToken(subject.slice(this.#prefix.length)) !== actorId;
  }

  /** The actor a message on a hashed subject says it belongs to, if the subject agrees. */
  #claimedActor(message: StoredMessage): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(message.data));
    } catch {
      return undefined;
    }
    const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    const actorId = (first as { actorId?: unknown } | null)?.actorId;
    if (typeof actorId !== "string") return undefined;
    try {
      return actorSubject(this.#namespace, actorId) === message.subject ? actorId : undefined;
    } catch {
      return undefined;
    }
  }

  #malformed(message: StoredMessage, error: string): LogEntry {
    return {
      position: message.seq,
      error: { sequence: message.seq, raw: rawText(message.data), error },
    };
  }
}
