import { isAetherError } from "@aether/kernel";
import {
  compileNamespacePattern,
  isWildcardPattern,
  matchesNamespace,
  namespacePatternSchema,
  parseNamespacePattern,
} from "@aether/namespace";
import { describe, expect, it } from "vitest";

const table: [pattern: string, matches: string[], misses: string[]][] = [
  ["a", ["a"], ["b", "a.b", "ab", "A", "a.a"]],
  ["a.b", ["a.b"], ["a", "a.b.c", "a.c", "b.b", "a_b", "a-b"]],
  ["a.*", ["a.b", "a.c", "a.a"], ["a", "a.b.c", "b.b", "ab.c"]],
  ["a.>", ["a.b", "a.b.c", "a.x.y.z"], ["a", "b.a", "ab.c", "b"]],
  ["*", ["a", "b", "tenant-1"], ["a.b", "a.b.c"]],
  ["*.*", ["a.b", "x.y"], ["a", "a.b.c"]],
  ["*.b", ["a.b", "c.b"], ["a.c", "b", "a.b.b"]],
  ["a.*.c", ["a.b.c", "a.x.c"], ["a.c", "a.b.d", "a.b.c.d"]],
  ["a.*.>", ["a.b.c", "a.b.c.d"], ["a", "a.b", "b.b.c"]],
  ["*.>", ["a.b", "a.b.c"], ["a"]],
  [">", ["a", "a.b", "a.b.c", "tenant-b.orders"], []],
  ["tenant-a", ["tenant-a"], ["tenant-b", "tenant-a.x", "tenant-ab", "tenant", "x.tenant-a"]],
  ["tenant-a.>", ["tenant-a.x", "tenant-a.x.y"], ["tenant-a", "tenant-ab.x", "tenant-b.x"]],
];

describe("namespace: pattern matching (NATS semantics)", () => {
  for (const [pattern, matches, misses] of table) {
    it(`namespace: ${JSON.stringify(pattern)} matches ${JSON.stringify(matches)} and nothing of ${JSON.stringify(misses)}`, () => {
      const matcher = compileNamespacePattern(pattern);
      expect(matcher.pattern).toBe(pattern);
      for (const namespace of matches) {
        expect(matcher.matches(namespace), `${pattern} ~ ${namespace}`).toBe(true);
        expect(matchesNamespace(pattern, namespace)).toBe(true);
      }
      for (const namespace of misses) {
        expect(matcher.matches(namespace), `${pattern} !~ ${namespace}`).toBe(false);
        expect(matchesNamespace(pattern, namespace)).toBe(false);
      }
    });
  }

  it("namespace: isWildcard and isWildcardPattern say whether a pattern can match others", () => {
    expect(compileNamespacePattern("a.b").isWildcard).toBe(false);
    expect(compileNamespacePattern("a.*").isWildcard).toBe(true);
    expect(compileNamespacePattern(">").isWildcard).toBe(true);
    expect(isWildcardPattern("a.b")).toBe(false);
    expect(isWildcardPattern("*.b")).toBe(true);
    expect(isWildcardPattern("a.>")).toBe(true);
    expect(isWildcardPattern("a-*")).toBe(false);
  });

  it("namespace: a compiled matcher can be reused", () => {
    const matcher = compileNamespacePattern("orders.*");
    const seen = ["orders.eu", "orders", "orders.us", "billing.eu", "orders.eu.x"].filter((ns) =>
      matcher.matches(ns),
    );
    expect(seen).toEqual(["orders.eu", "orders.us"]);
  });
});

describe("namespace: pattern validation", () => {
  const wholeToken = "'*' must be a whole token and '>' the whole last token";
  const invalid: [pattern: unknown, message: string][] = [
    ["a.>.b", "has '>' at index 2 before the last token; '>' must be the whole last token"],
    [">.a", "has '>' at index 0 before the last token; '>' must be the whole last token"],
    ["a*", `has '*' at index 1 inside a token; ${wholeToken}`],
    [">x", `has '>' at index 0 inside a token; ${wholeToken}`],
    ["a.**", `has '*' at index 2 inside a token; ${wholeToken}`],
    ["a.b>", `has '>' at index 3 inside a token; ${wholeToken}`],
    ["", "must not be empty"],
    ["a..*", "has an empty token at index 2 (a leading, trailing or doubled '.')"],
    ["*.", "has an empty token at index 2 (a leading, trailing or doubled '.')"],
    [
      "a. *",
      "contains whitespace (U+0020) at index 2; tokens allow only letters, digits, '_' and '-', joined by '.'",
    ],
    ["*".padEnd(129, "x"), "is 129 characters long; at most 128 are allowed"],
    [7, "must be a string"],
  ];

  it.each(invalid)("namespace: refuses pattern %j saying what and where", (pattern, message) => {
    let error: (Error & { details?: unknown }) | undefined;
    try {
      parseNamespacePattern(pattern);
    } catch (caught) {
      error = caught as Error;
    }
    expect(isAetherError(error, "INVALID_NAMESPACE")).toBe(true);
    expect(error?.message).toBe(`Invalid namespace pattern ${JSON.stringify(pattern)}: ${message}`);
    expect(error?.details).toEqual({ pattern });
    expect(namespacePatternSchema.safeParse(pattern).success).toBe(false);
    if (typeof pattern === "string") {
      expect(() => compileNamespacePattern(pattern)).toThrow(message);
      expect(() => matchesNamespace(pattern, "a")).toThrow(/^Invalid namespace pattern/);
    }
  });

  it.each(["a", "a.b", "*", ">", "a.*", "a.>", "*.*.>", "tenant-1.orders_v2.*"])(
    "namespace: accepts pattern %j",
    (pattern) => {
      expect(parseNamespacePattern(pattern)).toBe(pattern);
    },
  );
});
