import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("kernel: README examples", () => {
  it("kernel: the quick start runs and prints what the README says", async () => {
    vi.stubEnv("LOG_LEVEL", undefined);
    const lines = await consoleLinesOf(() => import("../examples/quickStart.js"));
    expect(lines).toEqual([
      "[ 'acc-1@1' ]",
      "INVALID_EVENT Invalid event: actorId: must not be empty; version: must be >= 1",
    ]);
  });

  it("kernel: the README shows the example file verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/quickStart.ts", import.meta.url),
    );
  });
});
