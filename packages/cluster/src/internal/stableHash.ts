import { createHash } from "node:crypto";

/**
 * 32 bits of SHA-256 of the UTF-8 text: the same on every node, platform and release, and spread
 * evenly enough for the ring (measured in the tests). SHA-256 over MD5 because FIPS builds of
 * Node refuse MD5; it costs about a microsecond per actor id.
 */
export function stableHash32(text: string): number {
  return createHash("sha256").update(text, "utf8").digest().readUInt32BE(0);
}
