import { InMemoryEventStore, InMemorySnapshotStore } from "@aether/event-sourcing";
import {
  describeEventStoreContract,
  describeSnapshotStoreContract,
} from "@aether/event-sourcing/testing";

describeEventStoreContract(
  "InMemoryEventStore",
  ({ namespace, publisher }) => new InMemoryEventStore({ namespace, publisher }),
);

describeSnapshotStoreContract(
  "InMemorySnapshotStore",
  ({ namespace, publisher }) => new InMemorySnapshotStore({ namespace, publisher }),
);
