import { matchesNamespace, parseNamespace } from "@aether/namespace";
import { actorSubject, eventStreamName, snapshotBucketName } from "@aether/namespace/naming";

const tenant = parseNamespace("acme.orders");
console.log(eventStreamName(tenant)); // AETHER_EVENTS_acme_2Eorders
console.log(actorSubject(tenant, "order #42")); // aether.events.acme.orders.order_20_2342
console.log(snapshotBucketName(tenant)); // AETHER_SNAPSHOTS_acme_2Eorders
console.log(matchesNamespace("acme.*", tenant), matchesNamespace("acme", tenant)); // true false

try {
  parseNamespace("acme.*");
} catch (error) {
  console.log((error as Error).message);
}
