import {
  ActorHost,
  ActorHostError,
  ClusterNode,
  InMemoryCoordination,
  InProcessTransport,
} from "@aether/cluster";
import { InMemoryEventStore, defineActor } from "@aether/event-sourcing";

const account = defineActor({
  initialState: () => ({ balance: 0 }),
  decide: (command: { type: "deposit" | "withdraw"; amount: number }, state) => {
    if (command.type === "withdraw" && command.amount > state.balance) {
      throw new Error(`Insufficient funds: balance ${state.balance}`);
    }
    const amount = command.type === "deposit" ? command.amount : -command.amount;
    return { eventType: "BalanceChanged" as const, data: { amount } };
  },
  evolve: (state, event) => ({ balance: state.balance + event.data.amount }),
});

// Three nodes in one process. Across processes: natsCoordination(nc, …) and natsTransport(nc).
const coordination = new InMemoryCoordination();
const transport = new InProcessTransport();
const eventStore = new InMemoryEventStore({ namespace: "bank" });
const nodes = await Promise.all(
  ["node-a", "node-b", "node-c"].map((nodeId) => ClusterNode.start({ coordination, nodeId })),
);
const hosts = nodes.map((node) => {
  const host = new ActorHost({ cluster: node, transport });
  host.register("BankAccount", { actor: account, eventStore });
  return host;
});

// Any node takes any command; it runs on the node serving the actor's shard.
for (const [i, host] of hosts.entries()) {
  const result = await host.send("BankAccount", "alice", { type: "deposit", amount: 10 * (i + 1) });
  console.log(`via ${nodes[i]!.nodeId}: version ${result.version}, balance`, result.state);
}

// A retry with the same commandId is answered from the first outcome; nothing is appended.
const first = await hosts[0]!.send(
  "BankAccount",
  "bob",
  { type: "deposit", amount: 5 },
  { commandId: "pay-1" },
);
const retry = await hosts[2]!.send(
  "BankAccount",
  "bob",
  { type: "deposit", amount: 5 },
  { commandId: "pay-1" },
);
console.log(
  "retry duplicate:",
  retry.duplicate,
  "same events:",
  retry.events[0]!.id === first.events[0]!.id,
);

// The actor's refusal reaches the caller typed, whichever node it asked.
try {
  await hosts[1]!.send("BankAccount", "bob", { type: "withdraw", amount: 100 });
} catch (error) {
  if (error instanceof ActorHostError) console.log(error.code, error.message);
}

// alice's owner leaves: her shard moves, her state is reloaded from the store elsewhere.
const owner = nodes.findIndex((node) => node.nodeId === node.ownerOf("alice"));
await nodes[owner]!.leave();
await hosts[owner]!.close();
const other = hosts[(owner + 1) % 3]!;
const after = await other.send("BankAccount", "alice", { type: "withdraw", amount: 60 });
console.log("after the leave: version", after.version, "balance", after.state);

for (const [i, host] of hosts.entries()) {
  await host.close();
  await nodes[i]!.close();
}
