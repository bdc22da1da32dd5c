import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("cluster: README examples", () => {
  it("cluster: three nodes handle commands, and the example prints what the README says", async () => {
    expect(await consoleLinesOf(() => import("../examples/threeNodes.js"))).toEqual([
      "via node-a: version 1, balance { balance: 10 }",
      "via node-b: version 2, balance { balance: 30 }",
      "via node-c: version 3, balance { balance: 60 }",
      "retry duplicate: true same events: true",
      "COMMAND_REJECTED Insufficient funds: balance 5",
      "after the leave: version 4 balance { balance: 0 }",
    ]);
  }, 30_000);

  it("cluster: the README shows threeNodes.ts verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/threeNodes.ts", import.meta.url),
    );
  });
});
