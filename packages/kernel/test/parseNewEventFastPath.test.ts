import { newEventSchema, parseNewEvent } from "@aether/kernel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Each field is drawn from valid values and from values zod must refuse, so both paths of
// parseNewEvent (the hand-written common case and zod) are exercised against the schema.
const field = {
  id: fc.oneof(fc.string({ minLength: 1 }), fc.constant(""), fc.integer()),
  eventType: fc.oneof(
    fc.string({ minLength: 1, maxLength: 256 }),
    fc.constant(""),
    fc.string({ minLength: 257, maxLength: 300 }),
  ),
  actorId: fc.oneof(
    fc.string({ minLength: 1, maxLength: 1024, unit: "binary" }),
    fc.constant("\uD800x"),
    fc.constant(""),
    fc.constant("a".repeat(1025)),
  ),
  version: fc.oneof(fc.integer({ min: -3, max: 1000 }), fc.double(), fc.constant("1")),
  data: fc.jsonValue(),
  metadata: fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.string(), fc.string()),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
    fc.constant([] as unknown),
  ),
  timestamp: fc.oneof(
    fc.constant(undefined),
    fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString()),
    fc.constant("2026-01-01T00:00:00+02:00"),
    fc.constant("yesterday"),
    fc.constant(17),
  ),
};

describe("kernel parseNewEvent", () => {
  it("accepts and returns exactly what newEventSchema does", () => {
    fc.assert(
      fc.property(
        fc.record(field, { requiredKeys: ["id", "eventType", "actorId", "version"] }),
        (input) => {
          const expected = newEventSchema.safeParse(input);
          let actual: unknown;
          let threw = false;
          try {
            actual = parseNewEvent(input);
          } catch {
            threw = true;
          }
          expect(threw).toBe(!expected.success);
          if (expected.success) expect(actual).toEqual(expected.data);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("agrees with newEventSchema on metadata or data holding an own __proto__ key: both refuse it", () => {
    for (const json of [
      '{"id":"e","eventType":"T","actorId":"a","version":1,"data":[],"metadata":{"__proto__":"x"}}',
      '{"id":"e","eventType":"T","actorId":"a","version":1,"data":{"__proto__":{"x":1}}}',
    ]) {
      const input: unknown = JSON.parse(json);
      expect(newEventSchema.safeParse(input).success).toBe(false);
      expect(() => parseNewEvent(input)).toThrow(/__proto__/);
    }
  });

  it("returns a fresh object, so filling it in never touches the caller's event", () => {
    const input = {
      id: "e",
      eventType: "T",
      actorId: "a",
      version: 1,
      data: {},
      metadata: { k: "v" },
    };
    const parsed = parseNewEvent(input);
    expect(parsed).not.toBe(input);
    expect(parsed.metadata).not.toBe(input.metadata);
  });
});
