import { readFileSync } from "node:fs";
import { format } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
});

function source(path: string): string {
  return readFileSync(new URL(path, import.meta.url), "utf8");
}

describe("event-bus: README examples", () => {
  it("event-bus: the quick start runs and prints what its comments say", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("../examples/quickStart.js");
    expect(log.mock.calls.map((args) => format(...args))).toEqual([
      "audit Opened",
      "audit Deposited",
      "deposit 10",
    ]);
  });

  it.each(["quickStart.ts", "twoNodes.ts"])("event-bus: the README shows %s verbatim", (file) => {
    const example = source(`../examples/${file}`);
    expect(source("../README.md")).toContain("```ts\n" + example + "```");
  });
});
