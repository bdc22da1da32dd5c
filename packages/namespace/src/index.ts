export {
  MAX_NAMESPACE_LENGTH,
  isValidNamespace,
  namespaceSchema,
  parseNamespace,
} from "./namespace.js";
export {
  compileNamespacePattern,
  isWildcardPattern,
  matchesNamespace,
  namespacePatternSchema,
  parseNamespacePattern,
} from "./namespacePattern.js";
export type { NamespaceMatcher } from "./namespacePattern.js";
