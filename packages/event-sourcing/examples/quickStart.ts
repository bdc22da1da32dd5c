import {
  ActorRepository,
  InMemoryEventStore,
  InMemorySnapshotStore,
  defineActor,
} from "@aether/event-sourcing";
import { retryOnConflict } from "@aether/occ";

const cart = defineActor({
  name: "Cart",
  initialState: () => ({ items: [] as string[] }),
  decide: (command: { add: string }, state) =>
    state.items.includes(command.add)
      ? []
      : { eventType: "ItemAdded" as const, data: { sku: command.add } },
  evolve: (state, event) => ({ items: [...state.items, event.data.sku] }),
});

const carts = new ActorRepository({
  actor: cart,
  eventStore: new InMemoryEventStore({ namespace: "shop" }),
  snapshotStore: new InMemorySnapshotStore({ namespace: "shop" }),
});

await carts.handle("cart-1", { add: "apple" });
const { state, version } = await retryOnConflict(() => carts.handle("cart-1", { add: "pear" }));
export const result = { items: state.items, version }; // { items: ["apple", "pear"], version: 2 }
