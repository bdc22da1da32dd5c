import { readFileSync } from "node:fs";
import { format } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs an example and returns what it printed, one string per console.log call. */
async function run(load: () => Promise<unknown>): Promise<string[]> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  await load();
  return log.mock.calls.map((args) => format(...args));
}

function source(path: string): string {
  return readFileSync(new URL(path, import.meta.url), "utf8");
}

describe("kernel: README examples", () => {
  it("kernel: the quick start runs and prints what the README says", async () => {
    vi.stubEnv("LOG_LEVEL", undefined);
    const lines = await run(() => import("../examples/quickStart.js"));
    expect(lines).toEqual([
      "[ 'acc-1@1' ]",
      "INVALID_EVENT Invalid event: actorId: must not be empty; version: must be >= 1",
    ]);
  });

  it("kernel: the README shows the example file verbatim", () => {
    expect(source("../README.md")).toContain(
      "```ts\n" + source("../examples/quickStart.ts") + "```",
    );
  });
});
