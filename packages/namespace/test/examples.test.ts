import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("namespace: README examples", () => {
  it("namespace: the naming example runs and prints what its comments say", async () => {
    const lines = await consoleLinesOf(() => import("../examples/naming.js"));
    expect(lines).toEqual([
      "AETHER_EVENTS_acme_2Eorders",
      "aether.events.acme.orders.order_20_2342",
      "AETHER_SNAPSHOTS_acme_2Eorders",
      "true false",
      `Invalid namespace "acme.*": contains the wildcard '*' at index 5; wildcards belong in subscription patterns, not in namespaces`,
    ]);
  });

  it("namespace: the README shows the example file verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/naming.ts", import.meta.url),
    );
  });
});
