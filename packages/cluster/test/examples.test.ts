import { consoleLinesOf, expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("cluster: README examples", () => {
  it(
    "cluster: the quick start runs and prints what the README says",
    { timeout: 30_000 },
    async () => {
      const lines = await consoleLinesOf(() => import("../examples/quickStart.js"));
      expect(lines).toEqual([
        "leader a term > 0: true",
        "acc-1 is in shard 9 served by c",
        "a=2 b=6 c=8",
        "after b left: a=6 c=10",
        "[ 'b' ] 6",
      ]);
    },
  );

  it(
    "cluster: three nodes handle commands, and the example prints what the README says",
    { timeout: 30_000 },
    async () => {
      expect(await consoleLinesOf(() => import("../examples/threeNodes.js"))).toEqual([
        "via node-a: version 1, balance { balance: 10 }",
        "via node-b: version 2, balance { balance: 30 }",
        "via node-c: version 3, balance { balance: 60 }",
        "retry duplicate: true same events: true",
        "COMMAND_REJECTED Insufficient funds: balance 5",
        "after the leave: version 4 balance { balance: 0 }",
      ]);
    },
  );

  it.each(["quickStart.ts", "threeNodes.ts"])("cluster: the README shows %s verbatim", (file) => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL(`../examples/${file}`, import.meta.url),
    );
  });
});
