export { VersionConflictError, isVersionConflict } from "./versionConflictError.js";
export {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  assertExpectedVersion,
  assertNextVersion,
} from "./expectedVersion.js";
export { retryOnConflict, withRetry } from "./retryOnConflict.js";

export type { VersionConflictDetails } from "./versionConflictError.js";
export type { ExpectedVersion } from "./expectedVersion.js";
export type { RetryOptions } from "./retryOnConflict.js";
