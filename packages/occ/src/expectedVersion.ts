import { AetherError, AetherErrorCode } from "@aether/kernel";
import { VersionConflictError } from "./versionConflictError.js";

/** Any version is fine: no concurrency check. */
export const ANY = "any" as const;
/** The actor must have no events yet. */
export const NO_STREAM = "no_stream" as const;
/** The actor must have at least one event. */
export const STREAM_EXISTS = "stream_exists" as const;

/** What a writer believes the actor's current version is: a number or a named sentinel. */
export type ExpectedVersion = number | typeof ANY | typeof NO_STREAM | typeof STREAM_EXISTS;

function matches(expected: ExpectedVersion, current: number): boolean {
  switch (expected) {
    case ANY:
      return true;
    case NO_STREAM:
      return current === 0;
    case STREAM_EXISTS:
      return current > 0;
    default:
      return expected === current;
  }
}

/**
 * The one expected-version check every store and repository uses. Throws `VersionConflictError`
 * carrying the true current version when the expectation does not hold.
 */
export function assertExpectedVersion(
  actorId: string,
  expected: ExpectedVersion,
  currentVersion: number,
): void {
  const valid =
    typeof expected === "number"
      ? Number.isInteger(expected) && expected >= 0
      : expected === ANY || expected === NO_STREAM || expected === STREAM_EXISTS;
  if (!valid) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `Invalid expected version ${typeof expected === "string" ? JSON.stringify(expected) : String(expected)} for actor ${JSON.stringify(actorId)}: use an integer >= 0, ANY, NO_STREAM or STREAM_EXISTS`,
      { details: { actorId, expectedVersion: expected } },
    );
  }
  if (matches(expected, currentVersion)) return;
  // The version the writer meant to write: right after the one it expected (NO_STREAM expects 0).
  const attemptedVersion =
    typeof expected === "number" ? expected + 1 : expected === NO_STREAM ? 1 : currentVersion + 1;
  throw new VersionConflictError({
    actorId,
    attemptedVersion,
    currentVersion,
    expectedVersion: expected,
  });
}

/** The check behind `saveEvent`: the new event's version must be exactly latest + 1. */
export function assertNextVersion(
  actorId: string,
  attemptedVersion: number,
  currentVersion: number,
): void {
  if (attemptedVersion !== currentVersion + 1) {
    throw new VersionConflictError({ actorId, attemptedVersion, currentVersion });
  }
}
