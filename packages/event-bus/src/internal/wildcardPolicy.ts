import { AetherError, AetherErrorCode } from "@aether/kernel";
import { parseNamespacePattern } from "@aether/namespace";
import type { WildcardPolicy } from "../wildcardPolicy.js";

/** Checks a wildcard pattern against the policy; throws `INVALID_ARGUMENT` when it is refused. */
export type WildcardGuard = (pattern: string) => void;

function refuse(pattern: string, rule: string): never {
  throw new AetherError(
    AetherErrorCode.InvalidArgument,
    `Wildcard subscription ${JSON.stringify(pattern)} refused: ${rule}`,
    { details: { pattern } },
  );
}

/**
 * True when every namespace `pattern` matches is also matched by `allowed`, so a subscription to
 * `pattern` can never see more than one to `allowed` would.
 */
function isWithin(pattern: readonly string[], allowed: readonly string[]): boolean {
  const openEnded = allowed[allowed.length - 1] === ">";
  const fixed = openEnded ? allowed.length - 1 : allowed.length;
  if (openEnded ? pattern.length <= fixed : pattern.length !== fixed) return false;
  if (!openEnded && pattern[fixed - 1] === ">") return false;
  for (let i = 0; i < fixed; i++) {
    const token = pattern[i];
    // `>` before the allowed pattern's end reaches namespaces of other lengths.
    if (token === ">") return false;
    if (allowed[i] !== "*" && token !== allowed[i]) return false;
  }
  return true;
}

export function compileWildcardPolicy(policy: WildcardPolicy): WildcardGuard {
  if (policy === true) return () => {};
  if (policy === false) {
    return (pattern) => refuse(pattern, "this bus accepts exact namespaces only");
  }
  const allowList = policy.map((entry) => parseNamespacePattern(entry).split("."));
  const described = policy.map((entry) => JSON.stringify(entry)).join(", ");
  return (pattern) => {
    const tokens = pattern.split(".");
    if (!allowList.some((allowed) => isWithin(tokens, allowed))) {
      refuse(pattern, `it is not within the allowed patterns ${described || "(none)"}`);
    }
  };
}
