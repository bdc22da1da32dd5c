import { createJetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { eventStreamName } from "@aether/namespace";
import { uniqueName } from "@aether/test-support";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectTo } from "./fixtures/connect.js";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectTo(inject("natsUrl"));
});

afterAll(async () => {
  await nc.drain();
});

describe("event-sourcing/jetstream stream setup", () => {
  it("reports a stream that cannot hold the namespace's events as MISCONFIGURED, naming it", async () => {
    const namespace = uniqueName("misconfigured");
    const stream = eventStreamName(namespace);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`elsewhere.${namespace}.>`] });
    const setup = createJetStreamEventStore(nc, { namespace });
    await expect(setup).rejects.toMatchObject({ code: "MISCONFIGURED", retryable: false });
    await expect(setup).rejects.toThrow(new RegExp(`Stream ${stream} exists but cannot hold`));
  });
});
