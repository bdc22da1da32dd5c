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
export {
  actorIdFromToken,
  actorSubject,
  actorToken,
  busSubject,
  busSubjectForPattern,
  eventStreamName,
  eventStreamSubjects,
  namespaceFromBusSubject,
  namespaceFromToken,
  namespaceToken,
  snapshotBucketName,
  snapshotKey,
} from "./naming.js";
export { decodeSafeToken, encodeSafeToken, isHashedToken } from "./safeToken.js";

export type { NamespaceMatcher } from "./namespacePattern.js";
