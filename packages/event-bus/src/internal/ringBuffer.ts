const INITIAL_SLOTS = 16;

/**
 * A bounded FIFO queue. Storage starts small and doubles up to `capacity`, so thousands of quiet
 * subscriptions do not each hold a full buffer; `push` refuses instead of growing past it.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  #slots: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#slots = Array.from({ length: Math.min(capacity, INITIAL_SLOTS) });
  }

  get size(): number {
    return this.#size;
  }

  /** False when the buffer is full; the item is then not stored. */
  push(item: T): boolean {
    const size = this.#size;
    if (size === this.capacity) return false;
    let slots = this.#slots;
    if (size === slots.length) slots = this.#grow();
    let index = this.#head + size;
    if (index >= slots.length) index -= slots.length;
    slots[index] = item;
    this.#size = size + 1;
    return true;
  }

  /** The oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const slots = this.#slots;
    const head = this.#head;
    const item = slots[head];
    slots[head] = undefined;
    this.#head = head + 1 === slots.length ? 0 : head + 1;
    this.#size--;
    return item;
  }

  /** Forgets every item and releases the storage. */
  clear(): void {
    this.#slots = [];
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): (T | undefined)[] {
    const old = this.#slots;
    const length = Math.min(Math.max(old.length * 2, 1), this.capacity);
    const slots: (T | undefined)[] = Array.from({ length });
    for (let i = 0; i < this.#size; i++) {
      const index = this.#head + i;
      slots[i] = old[index >= old.length ? index - old.length : index];
    }
    this.#slots = slots;
    this.#head = 0;
    return slots;
  }
}
