import { InMemoryCoordination } from "@aether/cluster";
import { describeCoordinationContract } from "@aether/cluster/testing";
import { isAetherError, ManualClock } from "@aether/kernel";
import { describe, expect, it } from "vitest";

describeCoordinationContract("InMemoryCoordination", () => new InMemoryCoordination());

describe("InMemoryCoordination", () => {
  it("stamps entries with the injected clock", async () => {
    const clock = new ManualClock(1_000);
    const store = new InMemoryCoordination({ clock });
    await store.create("k", "v");
    clock.advance(500);
    const revision = (await store.get("k"))!.revision;
    await store.update("k", "w", revision);
    expect((await store.get("k"))?.timestamp).toBe(1_500);
  });

  it("ends watches with CLOSED and refuses calls once closed", async () => {
    const store = new InMemoryCoordination();
    const watch = store.watch();
    store.close();
    await expect(
      (async () => {
        for await (const _ of watch) void _;
      })(),
    ).rejects.toSatisfy((error: unknown) => isAetherError(error, "CLOSED"));
    await expect(store.get("k")).rejects.toSatisfy((error: unknown) =>
      isAetherError(error, "CLOSED"),
    );
  });
});
