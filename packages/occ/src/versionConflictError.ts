import { AetherError, AetherErrorCode, isAetherError } from "@aether/kernel";

export interface VersionConflictDetails {
  actorId: string;
  /** The version the append tried to write (or the expected version it named). */
  attemptedVersion: number;
  /** The actor's latest stored version when the append was refused; 0 when it has no events. */
  currentVersion: number;
  /** The expectation that failed, when the check was an expected-version one (e.g. `"no_stream"`). */
  expectedVersion?: number | string;
}

/**
 * An append lost an optimistic-concurrency race: someone else wrote first. Not retryable as is:
 * reload the actor, decide again, and append the new decision (see `retryOnConflict`).
 */
export class VersionConflictError extends AetherError<typeof AetherErrorCode.VersionConflict> {
  readonly actorId: string;
  readonly attemptedVersion: number;
  readonly currentVersion: number;
  /** The expectation that failed (`3`, `"no_stream"` …), when known. */
  declare readonly expectedVersion?: number | string;

  constructor(details: VersionConflictDetails, options: ErrorOptions = {}) {
    super(
      AetherErrorCode.VersionConflict,
      `Version conflict on actor ${JSON.stringify(details.actorId)}: tried to write version ${details.attemptedVersion}, but the latest stored version is ${details.currentVersion}` +
        (details.expectedVersion === undefined
          ? ""
          : ` (expected ${String(details.expectedVersion)})`),
      { ...options, details: { ...details } },
    );
    this.name = "VersionConflictError";
    this.actorId = details.actorId;
    this.attemptedVersion = details.attemptedVersion;
    this.currentVersion = details.currentVersion;
    if (details.expectedVersion !== undefined) this.expectedVersion = details.expectedVersion;
  }
}

/** Matches on `code`, so it also recognises a conflict thrown by another copy of this package. */
export function isVersionConflict(error: unknown): error is VersionConflictError {
  return isAetherError(error, AetherErrorCode.VersionConflict);
}
