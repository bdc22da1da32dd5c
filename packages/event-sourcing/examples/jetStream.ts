import { ActorRepository, defineActor } from "@aether/event-sourcing";
import { JetStreamEventStore, JetStreamSnapshotStore } from "@aether/event-sourcing/jetstream";
import { retryOnConflict } from "@aether/occ";
import { connect } from "@nats-io/transport-node";

// noAsyncTraces: otherwise nats.js builds an Error with a stack trace for every request.
const nc = await connect({
  servers: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222",
  noAsyncTraces: true,
});

const account = defineActor({
  name: "Account",
  initialState: () => ({ balance: 0 }),
  decide: (command: { deposit: number }) => ({
    eventType: "Deposited" as const,
    data: { amount: command.deposit },
  }),
  evolve: (state, event) => ({ balance: state.balance + event.data.amount }),
});

const accounts = new ActorRepository({
  actor: account,
  // One stream (AETHER_EVENTS_bank) and one KV bucket (AETHER_SNAPSHOTS_bank), created on first use.
  eventStore: new JetStreamEventStore(nc, { namespace: "bank" }),
  snapshotStore: new JetStreamSnapshotStore(nc, { namespace: "bank" }),
});

await retryOnConflict(() => accounts.handle("acc-1", { deposit: 100 }));
const { state, version } = await retryOnConflict(() => accounts.handle("acc-1", { deposit: 50 }));
await nc.drain();
export const result = { balance: state.balance, version }; // { balance: 150, version: 2 }
