import { expectReadmeToShow } from "@aether/test-support";
import { describe, expect, it } from "vitest";

describe("event-sourcing README catch-up and projection example", () => {
  it("subscribes, catches up, goes live, and projects balances", async () => {
    const { result } = await import("../examples/catchUp.js");
    expect(result).toEqual({
      seen: ["1:acc-1-1", "2:acc-2-1", "caughtUp", "3:acc-1-2"],
      balances: { "acc-1": 105, "acc-2": 20 },
      checkpoint: 3,
    });
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/catchUp.ts", import.meta.url),
    );
  });
});
