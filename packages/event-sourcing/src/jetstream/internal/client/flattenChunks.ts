/**
 * One item at a time from a source of chunks, as an AsyncIterable. An async generator doing
 * `yield* chunk` pays a suspension per item; here items already in hand come back as resolved
 * promises, which makes a 10,000-event replay a few milliseconds faster. Breaking out of the
 * loop returns the source, so its clean-up runs.
 */
export function flattenChunks<T>(open: () => AsyncIterator<T[]>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source = open();
      let chunk: T[] = [];
      let index = 0;
      const refill = async (): Promise<IteratorResult<T>> => {
        for (;;) {
          const next = await source.next();
          if (next.done === true) return { done: true, value: undefined };
          chunk = next.value;
          index = 0;
          if (chunk.length > 0) return { done: false, value: chunk[index++]! };
        }
      };
      return {
        next: () =>
          index < chunk.length
            ? Promise.resolve({ done: false, value: chunk[index++]! })
            : refill(),
        return: async () => {
          chunk = [];
          await source.return?.(undefined);
          return { done: true, value: undefined };
        },
      };
    },
  };
}
