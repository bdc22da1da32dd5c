const ignore = (): void => undefined;

/**
 * One queue per key: tasks posted under one key run one at a time in the order they were posted;
 * tasks of different keys run concurrently. A key's queue exists only while it has work.
 */
export class Mailboxes {
  readonly #tails = new Map<string, Promise<void>>();

  post<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous === undefined ? task() : previous.then(task);
    const tail = result.then(ignore, ignore);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running work. */
  get size(): number {
    return this.#tails.size;
  }
}
