import {
  ActorRepository,
  InMemoryEventStore,
  InMemorySnapshotStore,
  snapshotEvery,
} from "@aether/event-sourcing";
import { DOMAIN_EVENTS_NAMESPACE, EventBus } from "@aether/event-bus";
import { DomainEventRecorder, type DomainEvent } from "@aether/kernel";
import { isVersionConflict, retryOnConflict } from "@aether/occ";
import { bankAccount, type BankAccountCommand } from "./bankAccount.js";

export interface DemoResult {
  balance: number;
  version: number;
  domainEvents: DomainEventRecorder;
  eventStore: InMemoryEventStore;
}

/**
 * A walk through the actor runtime on one in-memory node: commands, a domain refusal, a
 * concurrency conflict and its retry, snapshots. `print` receives one readable line at a time.
 */
export async function runDemo(print: (line: string) => void): Promise<DemoResult> {
  // The stores report to the bus, as every Aether package does; the demo listens like any
  // other subscriber would.
  const bus = new EventBus();
  const domainEvents = new DomainEventRecorder();
  bus.subscribe(DOMAIN_EVENTS_NAMESPACE, {
    onEvent: (event) => domainEvents.publishDomainEvent(event.data as DomainEvent),
  });
  const eventStore = new InMemoryEventStore({ namespace: "bank.eu", publisher: bus });
  const snapshotStore = new InMemorySnapshotStore({ namespace: "bank.eu", publisher: bus });
  const accounts = new ActorRepository({
    actor: bankAccount,
    eventStore,
    snapshotStore,
    snapshotPolicy: snapshotEvery(5),
  });
  const actorId = "account/alice";

  const send = async (command: BankAccountCommand) => {
    const result = await accounts.handle(actorId, command);
    const stored = result.events.map((e) => `v${e.version} ${e.eventType}`).join(", ") || "nothing";
    print(`  ${command.type.padEnd(8)} → stored ${stored}; balance ${result.state.balance}`);
    return result;
  };

  print(`Namespace "bank.eu", actor ${JSON.stringify(actorId)}, snapshots every 5 events\n`);
  print("1. Commands become events");
  await send({ type: "Open", owner: "Alice" });
  await send({ type: "Deposit", amount: 100 });
  await send({ type: "Withdraw", amount: 30 });

  print("\n2. A refused command stores nothing");
  try {
    await send({ type: "Withdraw", amount: 500 });
  } catch (error) {
    print(`  Withdraw → refused: ${(error as Error).message}`);
  }

  print("\n3. Two writers race for the same version: one wins, the other gets a conflict");
  const race = await Promise.allSettled([
    accounts.handle(actorId, { type: "Deposit", amount: 10 }),
    accounts.handle(actorId, { type: "Deposit", amount: 20 }),
  ]);
  for (const [index, outcome] of race.entries()) {
    if (outcome.status === "fulfilled") {
      print(`  writer ${index + 1} → stored v${outcome.value.version}`);
    } else if (isVersionConflict(outcome.reason)) {
      const { attemptedVersion, currentVersion } = outcome.reason;
      print(
        `  writer ${index + 1} → VersionConflictError (tried v${attemptedVersion}, store at v${currentVersion})`,
      );
      const retried = await retryOnConflict(() =>
        accounts.handle(actorId, { type: "Deposit", amount: 20 }),
      );
      print(`  writer ${index + 1} reloads, decides again → stored v${retried.version}`);
    } else {
      throw outcome.reason;
    }
  }

  print("\n4. Snapshots cut replay short");
  await send({ type: "Deposit", amount: 5 });
  const snapshot = await snapshotStore.getLatestSnapshot(actorId);
  print(
    `  latest snapshot at v${snapshot?.version ?? "–"} with balance ${String((snapshot?.state as { balance?: number } | undefined)?.balance)}`,
  );
  const loaded = await accounts.load(actorId);
  print(
    `  reload → v${loaded.version}, balance ${loaded.state.balance} (snapshot + ${loaded.version - (snapshot?.version ?? 0)} event(s))`,
  );

  print("\n5. The history, as stored (append-only)");
  for (const event of await eventStore.getEvents(actorId)) {
    print(`  v${event.version}  ${event.eventType.padEnd(15)} ${JSON.stringify(event.data)}`);
  }

  print("\n6. Domain events the packages reported, as the event bus delivered them");
  const counts = new Map<string, number>();
  for (const event of domainEvents.events)
    counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  for (const [type, count] of counts) print(`  ${type.padEnd(20)} × ${count}`);

  await bus.close();
  return { balance: loaded.state.balance, version: loaded.version, domainEvents, eventStore };
}
