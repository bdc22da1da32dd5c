import {
  AetherErrorCode,
  MAX_JSON_DEPTH,
  assertJsonValue,
  findJsonProblem,
  isAetherError,
  newEventSchema,
  parseActorSnapshot,
  parseNewEvent,
} from "@aether/kernel";
import { describe, expect, it } from "vitest";

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

const event = { id: "e-1", eventType: "T", actorId: "a", version: 1 };

describe("kernel: the JSON rule", () => {
  it("kernel: accepts what JSON carries faithfully, including what JSON itself defines away", () => {
    for (const value of [
      null,
      0,
      -1.5,
      "x",
      true,
      [1, "a", null, { b: [] }],
      { a: undefined, f: () => 1, s: Symbol("s") }, // left out, as JSON.stringify does
      [undefined, () => 1], // written as null, as JSON.stringify does
      new Date(0),
      { toJSON: () => ({ ok: true }) },
      Object.create(null) as object,
      nested(MAX_JSON_DEPTH),
    ]) {
      expect(findJsonProblem(value)).toBeUndefined();
    }
  });

  it("kernel: refuses what JSON would change or drop, naming the path", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const cases: [unknown, (string | number)[], RegExp][] = [
      [NaN, [], /is NaN/],
      [{ a: [1, Infinity] }, ["a", 1], /is Infinity/],
      [{ n: 10n }, ["n"], /bigint/],
      [() => 1, [], /a function/],
      [Symbol("s"), [], /a symbol/],
      [undefined, [], /undefined/],
      [{ toJSON: () => undefined }, [], /toJSON\(\) that returns undefined/],
      [{ items: new Set([1]) }, ["items"], /a Set/],
      [{ m: new Map() }, ["m"], /a Map/],
      [{ bytes: new Uint8Array(2) }, ["bytes"], /binary data/],
      [JSON.parse('{"ok":{"__proto__":{"x":1}}}'), ["ok", "__proto__"], /__proto__/],
      [nested(MAX_JSON_DEPTH + 1), Array<string>(MAX_JSON_DEPTH).fill("a"), /deeper than 256/],
      [cyclic, Array<string>(MAX_JSON_DEPTH).fill("self"), /circular/],
    ];
    for (const [value, path, problem] of cases) {
      const found = findJsonProblem(value);
      expect(found?.path).toEqual(path);
      expect(found?.problem).toMatch(problem);
    }
  });

  it("kernel: assertJsonValue throws INVALID_EVENT with the path in the message", () => {
    const error = thrown(() => assertJsonValue({ lines: [{ amount: NaN }] }, "data"));
    expect(isAetherError(error, AetherErrorCode.InvalidEvent)).toBe(true);
    expect((error as Error).message).toBe("data.lines[0].amount is NaN, which JSON cannot carry");
  });

  it("kernel: parseNewEvent and newEventSchema apply the rule to data, on both paths", () => {
    for (const data of [
      () => 1,
      Symbol("s"),
      { toJSON: () => undefined },
      { total: NaN },
      JSON.parse('{"__proto__":{"admin":true}}') as unknown,
      nested(300),
    ]) {
      const error = thrown(() => parseNewEvent({ ...event, data }));
      expect(isAetherError(error, AetherErrorCode.InvalidEvent)).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid event: data/);
      expect(newEventSchema.safeParse({ ...event, data }).success).toBe(false);
    }
  });

  it("kernel: a metadata key named __proto__ is refused, not dropped", () => {
    const metadata: unknown = JSON.parse('{"__proto__":"x","k":"v"}');
    const error = thrown(() => parseNewEvent({ ...event, data: {}, metadata }));
    expect((error as Error).message).toBe(
      "Invalid event: metadata: must not have a key named __proto__",
    );
  });

  it("kernel: a snapshot's state follows the same rule", () => {
    const error = thrown(() =>
      parseActorSnapshot({
        actorId: "a",
        version: 1,
        state: { seen: new Set(["x"]) },
        timestamp: "2024-05-01T12:00:00.000Z",
      }),
    );
    expect((error as Error).message).toMatch(/^Invalid snapshot: state\.seen: is a Set/);
  });
});
