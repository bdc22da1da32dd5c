import { JetStreamEventStore, JetStreamSnapshotStore } from "@aether/event-sourcing/jetstream";
import {
  describeEventStoreContract,
  describeSnapshotStoreContract,
} from "@aether/event-sourcing/testing";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, inject } from "vitest";
import { connectTo } from "./fixtures/connect.js";

let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectTo(inject("natsUrl"));
});

afterAll(async () => {
  await nc.drain();
});

describeEventStoreContract(
  "JetStreamEventStore",
  ({ namespace, publisher }) => new JetStreamEventStore(nc, { namespace, publisher }),
);

describeSnapshotStoreContract(
  "JetStreamSnapshotStore",
  ({ namespace, publisher }) => new JetStreamSnapshotStore(nc, { namespace, publisher }),
);
