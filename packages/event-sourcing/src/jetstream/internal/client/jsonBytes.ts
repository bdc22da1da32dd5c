const encoder = new TextEncoder();

/**
 * `value` as UTF-8 JSON. Only for values the kernel's JSON rule has accepted (every event and
 * snapshot is parsed before it is encoded), so the text carries them faithfully.
 */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
