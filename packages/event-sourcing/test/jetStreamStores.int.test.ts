import { JetStreamEventStore, JetStreamSnapshotStore } from "@aether/event-sourcing/jetstream";
import {
  describeEventStoreContract,
  describeSnapshotStoreContract,
} from "@aether/event-sourcing/testing";
import { natsTestContextForFile } from "@aether/test-support";

const nats = natsTestContextForFile();

describeEventStoreContract(
  "JetStreamEventStore",
  ({ namespace, publisher }) => new JetStreamEventStore(nats.nc, { namespace, publisher }),
);

describeSnapshotStoreContract(
  "JetStreamSnapshotStore",
  ({ namespace, publisher }) => new JetStreamSnapshotStore(nats.nc, { namespace, publisher }),
);
