/** Where an actor's history ended when this process last saw it. */
export interface HeadPosition {
  /** The actor's latest version; 0 for an actor without events. */
  version: number;
  /** Stream sequence of the actor's last message; 0 when there is none. */
  seq: number;
  /** That message's own links (see chainLinks.ts). */
  links: readonly number[];
  /** That message's `Nats-Msg-Id`: lets an append whose answer was lost recognise itself. */
  msgId?: string;
}

/**
 * The last known head of recently used actors, so that an append usually needs no read before it.
 * Only ever a hint: the append still carries the expected sequence and the server refuses it when
 * the hint is stale, so two processes with stale hints can never both write a version. Safe to
 * trust even briefly because stored messages never change (deny_delete, deny_purge, no rollups).
 */
export class PositionCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, HeadPosition>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(actorId: string): HeadPosition | undefined {
    const position = this.#entries.get(actorId);
    if (position !== undefined) {
      this.#entries.delete(actorId);
      this.#entries.set(actorId, position);
    }
    return position;
  }

  /** Forgets every position (the stream they point into is gone). */
  clear(): void {
    this.#entries.clear();
  }

  /** Keeps the newer of the known and the given head: appends may complete out of order. */
  remember(actorId: string, position: HeadPosition): void {
    if (this.#capacity <= 0) return;
    const known = this.#entries.get(actorId);
    if (known !== undefined && known.seq > position.seq) return;
    this.#entries.delete(actorId);
    this.#entries.set(actorId, position);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
