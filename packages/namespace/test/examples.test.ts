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

describe("namespace: README examples", () => {
  it("namespace: the naming example runs and prints what its comments say", async () => {
    const lines = await run(() => import("../examples/naming.js"));
    expect(lines).toEqual([
      "AETHER_EVENTS_acme_2Eorders",
      "aether.events.acme.orders.order_20_2342",
      "AETHER_SNAPSHOTS_acme_2Eorders",
      "true false",
      `Invalid namespace "acme.*": contains the wildcard '*' at index 5; wildcards belong in subscription patterns, not in namespaces`,
    ]);
  });

  it("namespace: the README shows the example file verbatim", () => {
    expect(source("../README.md")).toContain("```ts\n" + source("../examples/naming.ts") + "```");
  });
});
