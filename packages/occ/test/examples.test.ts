import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("occ: README examples", () => {
  it("occ: the reload-and-retry example runs and prints what its comments say", async () => {
    const lines = await consoleLinesOf(() => import("../examples/reloadAndRetry.js"));
    expect(lines).toEqual([
      "[ 1, 2 ]",
      "[ 10, 5 ]",
      '409 Conflict: Version conflict on actor "acc-1": tried to write version 1, but the latest stored version is 2 (expected no_stream)',
    ]);
  });

  it("occ: the idempotent-command example applies a repeated command once", async () => {
    const lines = await consoleLinesOf(() => import("../examples/idempotentCommands.js"));
    expect(lines).toEqual(["1", "1", "2", "[ 10, 5 ]"]);
  });

  it("occ: the README shows both example files verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/idempotentCommands.ts", import.meta.url),
    );
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/reloadAndRetry.ts", import.meta.url),
    );
  });
});
