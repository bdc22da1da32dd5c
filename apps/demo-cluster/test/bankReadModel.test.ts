import type { Event } from "@aether/kernel";
import { describe, expect, it } from "vitest";
import { BankReadModel } from "../src/domain/bankReadModel.js";

let serial = 0;
function event(actorId: string, version: number, eventType: string, data: object): Event {
  return {
    id: `e${++serial}`,
    actorId,
    version,
    eventType,
    data,
    timestamp: new Date().toISOString(),
  };
}

describe("demo-cluster bank read model", () => {
  it("counts a transfer in transit between its withdrawal and its deposit, in either order", () => {
    const model = new BankReadModel({ readEvents: async function* () {} });
    model.apply(event("a", 1, "AccountOpened", { owner: "A" }));
    model.apply(event("a", 2, "MoneyDeposited", { amount: 100 }));
    model.apply(event("b", 1, "AccountOpened", { owner: "B" }));
    // The deposit's node was quicker than the withdrawal's.
    model.apply(event("b", 2, "MoneyDeposited", { amount: 30, transferId: "t1" }));
    expect(model.totals()).toMatchObject({
      total: 130,
      inTransit: -30,
      minted: 100,
      conserved: true,
    });
    model.apply(event("a", 3, "MoneyWithdrawn", { amount: 30, transferId: "t1" }));
    expect(model.totals()).toMatchObject({
      total: 100,
      inTransit: 0,
      conserved: true,
      accounts: 2,
    });
    expect(model.balanceOf("a")).toMatchObject({ balance: 70, version: 3 });
  });

  it("applies an event delivered twice once, and reports money that appeared from nowhere", () => {
    const model = new BankReadModel({ readEvents: async function* () {} });
    const opened = event("a", 1, "AccountOpened", { owner: "A" });
    const deposit = event("a", 2, "MoneyDeposited", { amount: 10, transferId: "t9" });
    model.apply(opened);
    model.apply(deposit);
    model.apply(deposit);
    model.apply(opened);
    // A transfer's deposit without its withdrawal: in transit (negative) until the withdrawal shows.
    expect(model.totals()).toMatchObject({
      total: 10,
      inTransit: -10,
      eventsApplied: 2,
      conserved: true,
    });
  });

  it("repairs a gap left by a lost bus message from the store", async () => {
    const stored = [
      event("a", 1, "AccountOpened", { owner: "A" }),
      event("a", 2, "MoneyDeposited", { amount: 50 }),
      event("a", 3, "MoneyWithdrawn", { amount: 20 }),
    ];
    const model = new BankReadModel({
      readEvents: async function* (actorId, fromVersion) {
        yield* stored.filter((e) => e.actorId === actorId && e.version >= fromVersion);
      },
    });
    model.apply(stored[0]!);
    model.apply(stored[2]!); // version 2 was lost
    await model.settled();
    expect(model.balanceOf("a")).toMatchObject({ balance: 30, version: 3 });
    expect(model.totals()).toMatchObject({
      total: 30,
      minted: 30,
      conserved: true,
      gapsRepaired: 1,
    });
  });
});
