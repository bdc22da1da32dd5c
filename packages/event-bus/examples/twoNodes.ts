// Two nodes exchanging events through NATS. Each node has its own connection and node id, as if
// it ran in its own process (the package's tests also run one in a separate process).
// NATS_URL defaults to a nats-server on localhost (start one with `nats-server`).
import { NatsEventBus } from "@aether/event-bus/nats";
import { connect } from "@nats-io/transport-node";

const servers = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const [connectionA, connectionB] = [await connect({ servers }), await connect({ servers })];
const nodeA = new NatsEventBus(connectionA, { nodeId: "node-a" });
const nodeB = new NatsEventBus(connectionB, { nodeId: "node-b" });

nodeA.subscribe("tenant-a.orders", {
  onEvent: (event) => console.log(`node-a: ${event.eventType} ${event.id} (its own, once)`),
});
const arrived = new Promise<void>((resolve) => {
  nodeB.subscribe("tenant-a.*", {
    onEvent: (event) => {
      console.log(`node-b: ${event.eventType} ${event.id} (from node-a)`);
      resolve();
    },
  });
});
await nodeB.flush(); // the server now knows node-b's subscription

const order = (id: string) => ({
  id,
  eventType: "OrderPlaced",
  actorId: id,
  version: 1,
  data: { total: 42 },
  timestamp: new Date().toISOString(),
});
nodeA.publish("tenant-b.orders", order("order-b1")); // another tenant: node-b's pattern never matches
nodeA.publish("tenant-a.orders", order("order-a1"));
await arrived;

await Promise.all([nodeA.close(), nodeB.close()]);
await Promise.all([connectionA.drain(), connectionB.drain()]);
