import { describe, expect, it } from "vitest";

describe("event-sourcing README examples", () => {
  it("quick start ends with both items at version 2", async () => {
    const { result } = await import("../examples/quickStart.js");
    expect(result).toEqual({ items: ["apple", "pear"], version: 2 });
  });
});
