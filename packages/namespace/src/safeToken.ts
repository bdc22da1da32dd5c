import { createHash } from "node:crypto";

const plain = /^[A-Za-z0-9-]*$/;
const hex = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).toUpperCase().padStart(2, "0"),
);
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const HASHED_PREFIX = "_H";
// `_H` and 64 hex digits of SHA-256.
const HASHED_LENGTH = HASHED_PREFIX.length + 64;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Encodes any string as one token of `[A-Za-z0-9_-]`, safe in NATS subjects, stream names, KV
 * bucket names and keys. Letters, digits and `-` stay as they are; every other UTF-8 byte becomes
 * `_` and two uppercase hex digits (`a.b` → `a_2Eb`, `a_b` → `a_5Fb`), so the mapping is injective
 * and reversible. A result longer than `maxLength` is replaced by `_H` and the SHA-256 of the value
 * in hex, which no escaped form can equal (`H` is not a hex digit); those tokens are not reversible
 * and rely on SHA-256 being collision-free, so readers must check the original value kept beside it.
 */
export function encodeSafeToken(value: string, maxLength: number): string {
  if (!(Number.isInteger(maxLength) && maxLength >= HASHED_LENGTH)) {
    throw new RangeError(
      `encodeSafeToken: maxLength must be an integer >= ${HASHED_LENGTH} (the hashed form's length), got ${maxLength}`,
    );
  }
  if (plain.test(value) && value.length <= maxLength && value.length > 0) return value;
  // TextEncoder turns every lone surrogate into U+FFFD, so two such values would share a token.
  if (loneSurrogate.test(value)) {
    throw new RangeError(
      "encodeSafeToken: the value must be well-formed Unicode (it holds a lone surrogate)",
    );
  }
  let out = "";
  for (const byte of encoder.encode(value)) {
    const isPlain =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d;
    out += isPlain ? String.fromCharCode(byte) : `_${hex[byte]}`;
    if (out.length > maxLength) return hashedToken(value);
  }
  if (out.length === 0) throw new RangeError("encodeSafeToken: the value must not be empty");
  return out;
}

function hashedToken(value: string): string {
  return HASHED_PREFIX + createHash("sha256").update(value, "utf8").digest("hex");
}

/** True when the token is the hashed form, whose original value cannot be recovered from it. */
export function isHashedToken(token: string): boolean {
  return token.startsWith(HASHED_PREFIX);
}

/**
 * The value a token was encoded from, or undefined for a hashed token or for a string that
 * `encodeSafeToken` would never produce (so two different tokens never decode to one value).
 */
export function decodeSafeToken(token: string, maxLength: number): string | undefined {
  if (token.length === 0 || isHashedToken(token)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const char = token.charCodeAt(i);
    if (char !== 0x5f) {
      bytes.push(char);
      continue;
    }
    const pair = token.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(pair)) return undefined;
    bytes.push(Number.parseInt(pair, 16));
    i += 2;
  }
  let value: string;
  try {
    value = decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
  return encodeSafeToken(value, maxLength) === token ? value : undefined;
}
