import { isAetherError } from "@aether/kernel";
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  VersionConflictError,
  assertExpectedVersion,
  assertNextVersion,
  type ExpectedVersion,
} from "@aether/occ";
import { describe, expect, it } from "vitest";

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("occ: assertExpectedVersion", () => {
  it("occ: the sentinels are stable strings", () => {
    expect([ANY, NO_STREAM, STREAM_EXISTS]).toEqual(["any", "no_stream", "stream_exists"]);
  });

  const passes: [expected: ExpectedVersion, current: number][] = [
    [0, 0],
    [3, 3],
    [ANY, 0],
    [ANY, 42],
    [NO_STREAM, 0],
    [STREAM_EXISTS, 1],
    [STREAM_EXISTS, 99],
  ];
  it.each(passes)("occ: expected %j holds at current version %i", (expected, current) => {
    expect(() => assertExpectedVersion("acc-1", expected, current)).not.toThrow();
  });

  const conflicts: [expected: ExpectedVersion, current: number, attempted: number][] = [
    [0, 1, 1],
    [2, 3, 3],
    [3, 2, 4],
    [5, 0, 6],
    [NO_STREAM, 1, 1],
    [NO_STREAM, 7, 1],
    [STREAM_EXISTS, 0, 1],
  ];
  it.each(conflicts)(
    "occ: expected %j fails at current version %i with the true currentVersion",
    (expected, current, attempted) => {
      const error = thrown(() => assertExpectedVersion("acc-1", expected, current));
      expect(error).toBeInstanceOf(VersionConflictError);
      expect(error).toMatchObject({
        code: "VERSION_CONFLICT",
        actorId: "acc-1",
        currentVersion: current,
        attemptedVersion: attempted,
      });
      expect((error as Error).message).toContain(`the latest stored version is ${current}`);
      expect((error as Error).message).toContain(`(expected ${String(expected)})`);
    },
  );

  const invalid: unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "latest", "ANY", null];
  it.each(invalid)(
    "occ: refuses the invalid expected version %j with INVALID_ARGUMENT",
    (expected) => {
      const error = thrown(() => assertExpectedVersion("acc-1", expected as ExpectedVersion, 0));
      expect(isAetherError(error, "INVALID_ARGUMENT")).toBe(true);
      expect((error as Error).message).toMatch(
        /^Invalid expected version .+ for actor "acc-1": use an integer >= 0, ANY, NO_STREAM or STREAM_EXISTS$/,
      );
    },
  );

  it("occ: an invalid expectation is refused even when it could not conflict", () => {
    expect(() => assertExpectedVersion("a", -1, -1)).toThrow(/Invalid expected version -1/);
    expect(() => assertExpectedVersion("a", "latest" as ExpectedVersion, 0)).toThrow(
      /Invalid expected version "latest"/,
    );
  });
});

describe("occ: assertNextVersion", () => {
  it("occ: passes only for currentVersion + 1", () => {
    expect(() => assertNextVersion("a", 1, 0)).not.toThrow();
    expect(() => assertNextVersion("a", 8, 7)).not.toThrow();
  });

  it.each([
    [1, 1],
    [3, 1],
    [2, 5],
    [0, 0],
  ])("occ: attempted %i at current %i is a conflict carrying both", (attempted, current) => {
    const error = thrown(() => assertNextVersion("acc-9", attempted, current));
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({
      actorId: "acc-9",
      attemptedVersion: attempted,
      currentVersion: current,
    });
    expect((error as Error).message).toBe(
      `Version conflict on actor "acc-9": tried to write version ${attempted}, but the latest stored version is ${current}`,
    );
  });
});
