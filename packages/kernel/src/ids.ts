import { systemClock, type Clock } from "./clock.js";

/** Produces globally unique ids. */
export type IdGenerator = () => string;

const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * UUIDv7 ids (RFC 9562): time-ordered, so ids sort by creation time, with 74 random bits.
 * Uses the global Web Crypto, present in Node 20 and browsers.
 */
export function uuidv7Generator(clock: Clock = systemClock): IdGenerator {
  // One crypto call per 256 ids: asking for 16 bytes at a time costs more than the rest of the id.
  const pool = new Uint8Array(16 * 256);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      offset = 0;
    }
    const bytes = pool.subarray(offset, offset + 16);
    offset += 16;
    let ms = clock.now();
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (bytes[6]! & 0x0f);
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    let out = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
      out += hex[bytes[i]!];
    }
    return out;
  };
}

/** Predictable ids (`prefix-1`, `prefix-2`, …) for tests and examples. */
export function sequentialIdGenerator(prefix = "id"): IdGenerator {
  let next = 0;
  return () => `${prefix}-${++next}`;
}

/** The default id generator: UUIDv7 on the system clock. */
export const createId: IdGenerator = uuidv7Generator();
