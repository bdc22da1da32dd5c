import type { Event } from "@aether/kernel";
import { assertExpectedVersion, retryOnConflict } from "@aether/occ";

const history: Event<{ amount: number }>[] = []; // one account's events, as a store returns them

// The command id travels in each event's metadata, so a command seen before is not decided again.
const deposit = (commandId: string, amount: number) =>
  retryOnConflict(async () => {
    const version = history.length; // reload
    const done = history.find((event) => event.metadata?.["commandId"] === commandId);
    if (done !== undefined) return done.version; // already applied: same answer, nothing appended
    assertExpectedVersion("acc-1", version, history.length); // what the store checks on append
    history.push({
      id: `evt-${version + 1}`,
      eventType: "Deposited",
      actorId: "acc-1",
      version: version + 1,
      data: { amount },
      metadata: { commandId }, // <- the idempotency key
      timestamp: new Date().toISOString(),
    });
    return version + 1;
  });

console.log(await deposit("cmd-1", 10)); // 1
console.log(await deposit("cmd-1", 10)); // 1: the client retried after a timeout, no double deposit
console.log(await deposit("cmd-2", 5)); // 2
console.log(history.map((event) => event.data.amount)); // [ 10, 5 ]
