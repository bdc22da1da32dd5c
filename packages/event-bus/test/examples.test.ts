import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("event-bus: README examples", () => {
  it("event-bus: the quick start runs and prints what its comments say", async () => {
    expect(await consoleLinesOf(() => import("../examples/quickStart.js"))).toEqual([
      "audit Opened",
      "audit Deposited",
      "deposit 10",
    ]);
  });

  it.each(["quickStart.ts", "twoNodes.ts"])("event-bus: the README shows %s verbatim", (file) => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL(`../examples/${file}`, import.meta.url),
    );
  });
});
