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

  it("cluster: the README shows the example file verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/quickStart.ts", import.meta.url),
    );
  });
});
