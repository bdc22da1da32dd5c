import { AetherError, AetherErrorCode, describeIssues } from "@aether/kernel";
import { z } from "zod";
import { findTokenProblem } from "./namespace.js";

/**
 * A subscription pattern over namespaces, with NATS semantics: an exact namespace matches only
 * itself, `*` matches exactly one token, `>` (last token only) matches one or more trailing tokens.
 */
export const namespacePatternSchema = z
  .string({ error: "must be a string" })
  .superRefine((value, ctx) => {
    const problem = findTokenProblem(value, true);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

export function parseNamespacePattern(input: unknown): string {
  const result = namespacePatternSchema.safeParse(input);
  if (result.success) return result.data;
  throw new AetherError(
    AetherErrorCode.InvalidNamespace,
    `Invalid namespace pattern ${JSON.stringify(input)}: ${describeIssues(result.error)}`,
    { cause: result.error, details: { pattern: input } },
  );
}

/** True when the pattern holds `*` or `>`, i.e. it can match namespaces other than itself. */
export function isWildcardPattern(pattern: string): boolean {
  return pattern.split(".").some((token) => token === "*" || token === ">");
}

/** A validated pattern, compiled once and tested against many namespaces. */
export interface NamespaceMatcher {
  readonly pattern: string;
  readonly isWildcard: boolean;
  matches(namespace: string): boolean;
}

export function compileNamespacePattern(input: string): NamespaceMatcher {
  const pattern = parseNamespacePattern(input);
  if (!isWildcardPattern(pattern)) {
    return { pattern, isWildcard: false, matches: (namespace) => namespace === pattern };
  }
  const tokens = pattern.split(".");
  const tail = tokens[tokens.length - 1] === ">";
  const fixed = tail ? tokens.slice(0, -1) : tokens;
  return {
    pattern,
    isWildcard: true,
    matches(namespace) {
      const parts = namespace.split(".");
      if (tail ? parts.length <= fixed.length : parts.length !== fixed.length) return false;
      for (let i = 0; i < fixed.length; i++) {
        const token = fixed[i];
        if (token !== "*" && token !== parts[i]) return false;
      }
      return true;
    },
  };
}

/** One-off match; prefer `compileNamespacePattern` when testing many namespaces. */
export function matchesNamespace(pattern: string, namespace: string): boolean {
  return compileNamespacePattern(pattern).matches(namespace);
}
