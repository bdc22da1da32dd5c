import { createLogger } from "@aether/kernel";
import { waitFor } from "@aether/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDemo, type EmbeddedDemo } from "../src/launch/embeddedDemo.js";

describe("demo-cluster transfer recovery", () => {
  let demo: EmbeddedDemo;

  beforeAll(async () => {
    demo = await startEmbeddedDemo({
      nodes: 3,
      port: 0,
      logger: createLogger({ level: "silent" }),
      recoverAfterMs: 300,
    });
    await waitFor(() => demo.nodes.every(({ node }) => node.runtime.isReady()), {
      description: "every shard owned",
    });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it("finishes a transfer whose client died after the withdrawal: deposit, or refund when refused", async () => {
    const { node } = demo.nodes[1]!;
    for (const id of ["rec-a", "rec-b"]) {
      await node.send(id, { type: "Open", owner: id });
      await node.send(id, { type: "Deposit", amount: 100 });
    }
    // What a client leaves behind when it dies between the saga's steps.
    await node.send(
      "rec-a",
      { type: "Withdraw", amount: 40, transferId: "t-lost", to: "rec-b" },
      {
        commandId: "t-lost:withdraw",
      },
    );
    await node.send(
      "rec-a",
      { type: "Withdraw", amount: 5, transferId: "t-bad", to: "rec-nobody" },
      {
        commandId: "t-bad:withdraw",
      },
    );
    expect(node.readModel.totals()).toMatchObject({ inTransit: 45, conserved: true });

    await waitFor(() => node.readModel.totals().inTransit === 0, {
      timeoutMs: 15_000,
      description: "both unfinished transfers finished",
    });
    expect(node.readModel.balanceOf("rec-b")?.balance).toBe(140);
    expect(node.readModel.balanceOf("rec-a")?.balance).toBe(60);
    const recovered = demo.nodes.reduce((sum, entry) => sum + entry.node.transfersRecovered, 0);
    expect(recovered).toBeGreaterThanOrEqual(2);
    // The deposit went through its own commandId, so the transfer's client retrying now adds nothing.
    const retried = await node.send(
      "rec-b",
      { type: "Deposit", amount: 40, transferId: "t-lost" },
      {
        commandId: "t-lost:deposit",
      },
    );
    expect(retried.repeated).toBe(true);
    expect(retried.state.balance).toBe(140);
  }, 30_000);
});
