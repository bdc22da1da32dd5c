import {
  ForwardingEventStore,
  InMemoryEventStore,
  InMemorySnapshotStore,
  VersionConflictError as ReExportedConflict,
} from "@aether/event-sourcing";
import { VersionConflictError } from "@aether/occ";
import { describe, expect, it } from "vitest";
import {
  describeEventStoreContract,
  describeSnapshotStoreContract,
} from "@aether/event-sourcing/testing";

describeEventStoreContract(
  "InMemoryEventStore",
  ({ namespace, publisher }) => new InMemoryEventStore({ namespace, publisher }),
);

// Every call reaches the store underneath, so the whole contract holds through the base class.
describeEventStoreContract(
  "ForwardingEventStore over InMemoryEventStore",
  ({ namespace, publisher }) =>
    new ForwardingEventStore(new InMemoryEventStore({ namespace, publisher })),
);

describeSnapshotStoreContract(
  "InMemorySnapshotStore",
  ({ namespace, publisher }) => new InMemorySnapshotStore({ namespace, publisher }),
);

describe("event-sourcing root entry", () => {
  it("re-exports the very VersionConflictError class the stores throw", async () => {
    expect(ReExportedConflict).toBe(VersionConflictError);
    const store = new InMemoryEventStore();
    const error = await store
      .saveEvent({ id: "e", eventType: "T", actorId: "a", version: 2, data: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReExportedConflict);
  });
});
