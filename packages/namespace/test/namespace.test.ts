import { isAetherError } from "@aether/kernel";
import {
  MAX_NAMESPACE_LENGTH,
  isValidNamespace,
  namespaceSchema,
  parseNamespace,
} from "@aether/namespace";
import { describe, expect, it } from "vitest";

const onlyTokenChars = "tokens allow only letters, digits, '_' and '-', joined by '.'";
const noWildcards = "wildcards belong in subscription patterns, not in namespaces";

function failure(input: unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    parseNamespace(input);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe("namespace: validation", () => {
  it("namespace: MAX_NAMESPACE_LENGTH is 128", () => {
    expect(MAX_NAMESPACE_LENGTH).toBe(128);
  });

  it.each([
    "a",
    "a.b",
    "tenant-1.orders_v2",
    "A-Z_0-9",
    "_",
    "-",
    "a.b.c.d.e.f",
    "x".repeat(128),
    `${"a.".repeat(63)}bc`,
  ])("namespace: accepts %j", (namespace) => {
    expect(parseNamespace(namespace)).toBe(namespace);
    expect(isValidNamespace(namespace)).toBe(true);
    expect(namespaceSchema.safeParse(namespace).success).toBe(true);
  });

  const invalid: [input: unknown, message: string][] = [
    ["", "must not be empty"],
    ["*", `contains the wildcard '*' at index 0; ${noWildcards}`],
    [">", `contains the wildcard '>' at index 0; ${noWildcards}`],
    ["a.*", `contains the wildcard '*' at index 2; ${noWildcards}`],
    ["orders.>", `contains the wildcard '>' at index 7; ${noWildcards}`],
    ["a b", `contains whitespace (U+0020) at index 1; ${onlyTokenChars}`],
    [" a", `contains whitespace (U+0020) at index 0; ${onlyTokenChars}`],
    ["a\tb", `contains a control character (U+0009) at index 1; ${onlyTokenChars}`],
    ["\u0000", `contains a control character (U+0000) at index 0; ${onlyTokenChars}`],
    ["ab\n", `contains a control character (U+000A) at index 2; ${onlyTokenChars}`],
    ["a\u00a0b", `contains whitespace (U+00A0) at index 1; ${onlyTokenChars}`],
    ["a..b", "has an empty token at index 2 (a leading, trailing or doubled '.')"],
    [".a", "has an empty token at index 0 (a leading, trailing or doubled '.')"],
    ["a.", "has an empty token at index 2 (a leading, trailing or doubled '.')"],
    [".", "has an empty token at index 0 (a leading, trailing or doubled '.')"],
    ["x".repeat(129), "is 129 characters long; at most 128 are allowed"],
    ["é", `contains 'é' (U+00E9) at index 0; ${onlyTokenChars}`],
    ["a/b", `contains '/' (U+002F) at index 1; ${onlyTokenChars}`],
    ["ab.c😀", `contains '😀' (U+1F600) at index 4; ${onlyTokenChars}`],
    ["a:b", `contains ':' (U+003A) at index 1; ${onlyTokenChars}`],
    [42, "must be a string"],
    [undefined, "must be a string"],
  ];

  it.each(invalid)("namespace: refuses %j saying what and where", (input, message) => {
    const error = failure(input);
    expect(isAetherError(error, "INVALID_NAMESPACE")).toBe(true);
    expect(error.name).toBe("AetherError");
    expect(error.message).toBe(`Invalid namespace ${JSON.stringify(input)}: ${message}`);
    expect(error.details).toEqual({ namespace: input });
    expect(error.cause).toBeDefined();
    expect(isValidNamespace(input)).toBe(false);
    const result = namespaceSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
