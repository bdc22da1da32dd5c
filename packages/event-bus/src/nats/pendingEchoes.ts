// Past this many consumed entries the array is compacted rather than grown.
const COMPACT_AFTER = 1024;

/**
 * The publish numbers of this bus's own messages that the server will still echo back on one NATS
 * subscription, ascending (the server keeps one publisher's order per subscription). An echo whose
 * number is here is this bus's own; the older entries before it are echoes that were lost (a
 * disconnect) and are dropped with it. A number that is not here — a copied header, a guessed one —
 * consumes nothing, so no other sender can make a real echo look foreign.
 */
export class PendingEchoes {
  #sequences: number[] = [];
  #head = 0;

  get size(): number {
    return this.#sequences.length - this.#head;
  }

  add(sequence: number): void {
    this.#sequences.push(sequence);
  }

  /** True, and removed with every older entry, when `sequence` is pending. */
  consume(sequence: number | undefined): boolean {
    if (sequence === undefined) return false;
    const sequences = this.#sequences;
    let low = this.#head;
    let high = sequences.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sequences[middle]! < sequence) low = middle + 1;
      else high = middle;
    }
    if (low === sequences.length || sequences[low] !== sequence) return false;
    this.#head = low + 1;
    if (this.#head === sequences.length) {
      sequences.length = 0;
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > sequences.length) {
      sequences.splice(0, this.#head);
      this.#head = 0;
    }
    return true;
  }
}
