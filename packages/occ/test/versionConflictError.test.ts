import { AetherError, AetherErrorCode, isAetherError, isRetryable } from "@aether/kernel";
import { VersionConflictError, isVersionConflict } from "@aether/occ";
import { describe, expect, it } from "vitest";

describe("occ: VersionConflictError", () => {
  const conflict = new VersionConflictError({
    actorId: "acc-1",
    attemptedVersion: 3,
    currentVersion: 4,
  });

  it("occ: carries actorId, attemptedVersion and currentVersion", () => {
    expect(conflict.actorId).toBe("acc-1");
    expect(conflict.attemptedVersion).toBe(3);
    expect(conflict.currentVersion).toBe(4);
    expect(conflict.details).toEqual({ actorId: "acc-1", attemptedVersion: 3, currentVersion: 4 });
  });

  it("occ: says what happened in its message", () => {
    expect(conflict.message).toBe(
      'Version conflict on actor "acc-1": tried to write version 3, but the latest stored version is 4',
    );
  });

  it("occ: is an AetherError with code VERSION_CONFLICT, named VersionConflictError, not retryable", () => {
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toBeInstanceOf(AetherError);
    expect(conflict).toBeInstanceOf(Error);
    expect(conflict.code).toBe(AetherErrorCode.VersionConflict);
    expect(conflict.name).toBe("VersionConflictError");
    expect(String(conflict)).toMatch(/^VersionConflictError: Version conflict/);
    expect(conflict.retryable).toBe(false);
    expect(isRetryable(conflict)).toBe(false);
    expect(isAetherError(conflict, AetherErrorCode.VersionConflict)).toBe(true);
  });

  it("occ: keeps a cause and names the failed expectation when given", () => {
    const cause = new Error("wrong last sequence: 7");
    const error = new VersionConflictError(
      { actorId: "a b", attemptedVersion: 1, currentVersion: 2, expectedVersion: "no_stream" },
      { cause },
    );
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      'Version conflict on actor "a b": tried to write version 1, but the latest stored version is 2 (expected no_stream)',
    );
    expect(error.details).toMatchObject({ expectedVersion: "no_stream" });
    expect(error.expectedVersion).toBe("no_stream");
    expect("expectedVersion" in conflict).toBe(false);
  });

  it("occ: quotes actor ids so odd characters stay readable", () => {
    const error = new VersionConflictError({
      actorId: 'a"\n',
      attemptedVersion: 1,
      currentVersion: 1,
    });
    expect(error.message).toContain('actor "a\\"\\n"');
  });
});

describe("occ: isVersionConflict", () => {
  it("occ: matches a VersionConflictError", () => {
    expect(
      isVersionConflict(
        new VersionConflictError({ actorId: "a", attemptedVersion: 1, currentVersion: 1 }),
      ),
    ).toBe(true);
  });

  it("occ: matches a foreign copy (a plain Error with code VERSION_CONFLICT)", () => {
    const foreign = Object.assign(new Error("conflict from another copy of @aether/occ"), {
      code: "VERSION_CONFLICT",
      actorId: "a",
      attemptedVersion: 2,
      currentVersion: 5,
    });
    expect(foreign instanceof VersionConflictError).toBe(false);
    expect(isVersionConflict(foreign)).toBe(true);
  });

  it("occ: refuses other Aether errors, plain errors and non-errors", () => {
    expect(isVersionConflict(new AetherError(AetherErrorCode.Timeout, "t"))).toBe(false);
    expect(isVersionConflict(new Error("VERSION_CONFLICT"))).toBe(false);
    expect(isVersionConflict({ code: "VERSION_CONFLICT" })).toBe(false);
    expect(isVersionConflict(undefined)).toBe(false);
  });
});
