import { describe, expect, it } from "vitest";
import { runDemo } from "../src/demo.js";

describe("demo-cluster in-memory walk-through", () => {
  it("ends with the balance its commands imply and reports every kind of domain event it caused", async () => {
    const lines: string[] = [];
    const result = await runDemo((line) => lines.push(line));
    // Open, +100, -30, (refused -500), +10 and +20 racing (one retried), +5.
    expect(result.balance).toBe(105);
    expect(result.version).toBe(6);
    expect((await result.eventStore.getEvents("account/alice")).map((e) => e.version)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(result.domainEvents.ofType("EventStored")).toHaveLength(6);
    expect(result.domainEvents.ofType("VersionConflict").length).toBeGreaterThanOrEqual(1);
    expect(result.domainEvents.ofType("SnapshotCreated").map((e) => e.version)).toEqual([5]);
    // The demo's own subscription to the domain events, reported through the bus it listens to.
    expect(result.domainEvents.ofType("SubscriptionCreated")).toHaveLength(1);
    expect(lines.join("\n")).toMatch(/VersionConflictError \(tried v4, store at v4\)/);
    expect(lines.join("\n")).toMatch(/refused: Cannot withdraw 500: the balance is 70/);
  });
});
