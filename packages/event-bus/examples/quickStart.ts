import { EventBus } from "@aether/event-bus";

const bus = new EventBus({ wildcards: ["tenant-a.>"] }); // wildcards may not leave tenant-a
const deposits = bus.subscribe("tenant-a.accounts", { eventTypes: ["Deposited"] });
bus.subscribe("tenant-a.>", { onEvent: (event) => console.log("audit", event.eventType) });

const base = { actorId: "acc-1", timestamp: new Date().toISOString() };
bus.publish("tenant-a.accounts", { ...base, id: "e1", eventType: "Opened", version: 1, data: {} });
bus.publish("tenant-a.accounts", {
  ...base,
  id: "e2",
  eventType: "Deposited",
  version: 2,
  data: 10,
});
bus.publish("tenant-b.accounts", {
  ...base,
  id: "e3",
  eventType: "Deposited",
  version: 1,
  data: 5,
});

for await (const event of deposits) {
  console.log("deposit", event.data); // only e2: e3 belongs to another tenant
  break; // leaving the loop unsubscribes
}
await bus.close();
