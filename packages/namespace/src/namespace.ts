import { AetherError, AetherErrorCode, describeIssues } from "@aether/kernel";
import { z } from "zod";

/** Longest namespace, in characters. */
export const MAX_NAMESPACE_LENGTH = 128;

const tokenCharacter = /[A-Za-z0-9_-]/;

function describeCharacter(char: string): string {
  const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  if (/\p{Cc}/u.test(char)) return `a control character (${code})`;
  if (/\s/u.test(char)) return `whitespace (${code})`;
  return `'${char}' (${code})`;
}

/**
 * Checks one `.`-separated token list. `wildcards` allows `*` as a whole token and `>` as the whole
 * last token, as in subscription patterns. Returns the first problem, or undefined.
 */
export function findTokenProblem(value: string, wildcards: boolean): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_NAMESPACE_LENGTH) {
    return `is ${value.length} characters long; at most ${MAX_NAMESPACE_LENGTH} are allowed`;
  }
  const tokens = value.split(".");
  let index = 0;
  for (const [position, token] of tokens.entries()) {
    if (token.length === 0) {
      return `has an empty token at index ${index} (a leading, trailing or doubled '.')`;
    }
    const isLast = position === tokens.length - 1;
    if (wildcards && (token === "*" || (token === ">" && isLast))) {
      index += token.length + 1;
      continue;
    }
    if (wildcards && token === ">") {
      return `has '>' at index ${index} before the last token; '>' must be the whole last token`;
    }
    for (const char of token) {
      if (tokenCharacter.test(char)) {
        index += char.length;
        continue;
      }
      if (char === "*" || char === ">") {
        return wildcards
          ? `has '${char}' at index ${index} inside a token; '*' must be a whole token and '>' the whole last token`
          : `contains the wildcard '${char}' at index ${index}; wildcards belong in subscription patterns, not in namespaces`;
      }
      return `contains ${describeCharacter(char)} at index ${index}; tokens allow only letters, digits, '_' and '-', joined by '.'`;
    }
    index += 1;
  }
  return undefined;
}

/** A namespace: `[A-Za-z0-9_-]` tokens joined by `.`, at most 128 characters. */
export const namespaceSchema = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  const problem = findTokenProblem(value, false);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** Validates a namespace, throwing `INVALID_NAMESPACE` with what is wrong and where. */
export function parseNamespace(input: unknown): string {
  const result = namespaceSchema.safeParse(input);
  if (result.success) return result.data;
  throw new AetherError(
    AetherErrorCode.InvalidNamespace,
    `Invalid namespace ${JSON.stringify(input)}: ${describeIssues(result.error)}`,
    { cause: result.error, details: { namespace: input } },
  );
}

export function isValidNamespace(input: unknown): input is string {
  return typeof input === "string" && findTokenProblem(input, false) === undefined;
}
