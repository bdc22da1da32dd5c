import { readFileSync } from "node:fs";
import { format } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
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

describe("occ: README examples", () => {
  it("occ: the reload-and-retry example runs and prints what its comments say", async () => {
    const lines = await run(() => import("../examples/reloadAndRetry.js"));
    expect(lines).toEqual([
      "[ 1, 2 ]",
      "[ 10, 5 ]",
      '409 Conflict: Version conflict on actor "acc-1": tried to write version 1, but the latest stored version is 2 (expected no_stream)',
    ]);
  });

  it("occ: the idempotent-command example applies a repeated command once", async () => {
    const lines = await run(() => import("../examples/idempotentCommands.js"));
    expect(lines).toEqual(["1", "1", "2", "[ 10, 5 ]"]);
  });

  it("occ: the README shows both example files verbatim", () => {
    expect(source("../README.md")).toContain(
      "```ts\n" + source("../examples/idempotentCommands.ts") + "```",
    );
    expect(source("../README.md")).toContain(
      "```ts\n" + source("../examples/reloadAndRetry.ts") + "```",
    );
  });
});
