import { describe, expect, it } from "vitest";
import { Utf8Pool } from "../src/internal/utf8Pool.js";

describe("event-bus: Utf8Pool", () => {
  it("encodes like TextEncoder, and no later encoding overwrites an earlier one", () => {
    const pool = new Utf8Pool();
    const decoder = new TextDecoder();
    const texts = Array.from(
      { length: 3_000 },
      (_, i) => `{"i":${i},"s":"${"é€😀a".repeat(i % 50)}"}`,
    );
    texts.push("x".repeat(10_000), "", "😀".repeat(3_000));
    // Enough text to roll over to fresh chunks many times while every view is still held.
    const encoded = texts.map((text) => pool.encode(text));
    const reference = new TextEncoder();
    encoded.forEach((bytes, i) => {
      expect(bytes).toEqual(reference.encode(texts[i]));
      expect(decoder.decode(bytes)).toBe(texts[i]);
    });
  });
});
