import { createJetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { eventStreamName } from "@aether/namespace/naming";
import { natsTestContext } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";

describe("event-sourcing/jetstream stream setup", () => {
  it("reports a stream that cannot hold the namespace's events as MISCONFIGURED, naming it", async () => {
    await using t = await natsTestContext();
    const namespace = t.uniqueName("misconfigured");
    const stream = eventStreamName(namespace);
    const jsm = await jetstreamManager(t.nc);
    await jsm.streams.add({ name: stream, subjects: [`elsewhere.${namespace}.>`] });
    const setup = createJetStreamEventStore(t.nc, { namespace });
    await expect(setup).rejects.toMatchObject({ code: "MISCONFIGURED", retryable: false });
    await expect(setup).rejects.toThrow(new RegExp(`Stream ${stream} exists but cannot hold`));
  });
});
