import { describe, expect, inject, it } from "vitest";

describe("event-sourcing README JetStream example", () => {
  it("deposits twice on a real nats-server", async () => {
    process.env["NATS_URL"] = inject("natsUrl");
    const { result } = await import("../examples/jetStream.js");
    expect(result).toEqual({ balance: 150, version: 2 });
  });
});
