const CHUNK_BYTES = 64 * 1024;
// Larger texts get their own array: they would waste most of a chunk.
const POOLED_MAX_CHARS = 4 * 1024;

/**
 * UTF-8 encoding into slices of shared chunks. `TextEncoder.encode` allocates a fresh
 * ArrayBuffer per call, which costs more than the JSON it encodes for an event-sized payload; a
 * slice here is a view, and a region is never written twice, so a view stays valid for as long as
 * the NATS client holds it.
 */
export class Utf8Pool {
  readonly #encoder = new TextEncoder();
  #chunk = new Uint8Array(CHUNK_BYTES);
  #offset = 0;

  encode(text: string): Uint8Array {
    if (text.length > POOLED_MAX_CHARS) return this.#encoder.encode(text);
    // A UTF-16 code unit never needs more than 3 bytes of UTF-8.
    if (this.#offset + text.length * 3 > CHUNK_BYTES) {
      this.#chunk = new Uint8Array(CHUNK_BYTES);
      this.#offset = 0;
    }
    const start = this.#offset;
    const { written } = this.#encoder.encodeInto(text, this.#chunk.subarray(start));
    this.#offset = start + written;
    return this.#chunk.subarray(start, this.#offset);
  }
}
