import {
  InMemoryCheckpointStore,
  InMemoryEventStore,
  startProjection,
} from "@aether/event-sourcing";

const store = new InMemoryEventStore({ namespace: "bank" });
const deposit = (actorId: string, version: number, amount: number) =>
  store.saveEvent({
    id: `${actorId}-${version}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { amount },
  });
await deposit("acc-1", 1, 100);
await deposit("acc-2", 1, 20);

// A catch-up subscription: the stored events, "caughtUp" once, then live ones.
const seen: string[] = [];
for await (const item of store.subscribeAll({ from: 0 })) {
  seen.push(item.type === "event" ? `${item.position}:${item.event.id}` : item.type);
  if (item.type === "caughtUp") await deposit("acc-1", 2, 5); // arrives live
  if (seen.length === 4) break; // leaving the loop closes the subscription
}

// A projection: a read model fed from its checkpoint; each event takes effect once.
const balances = new Map<string, number>();
const runner = startProjection({
  store,
  checkpoints: new InMemoryCheckpointStore(),
  projection: {
    name: "balances",
    eventTypes: ["Deposited"],
    handle(event) {
      const { amount } = event.data as { amount: number };
      balances.set(event.actorId, (balances.get(event.actorId) ?? 0) + amount);
    },
  },
});
await runner.whenLive(); // everything stored so far is applied
await runner.stop();
export const result = { seen, balances: Object.fromEntries(balances), checkpoint: runner.position };
// seen: ["1:acc-1-1", "2:acc-2-1", "caughtUp", "3:acc-1-2"]
// balances: { "acc-1": 105, "acc-2": 20 }, checkpoint: 3
