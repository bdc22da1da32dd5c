import { NO_STREAM, assertExpectedVersion, isVersionConflict, retryOnConflict } from "@aether/occ";
import type { ExpectedVersion } from "@aether/occ";

// A stand-in for an event store: one list of deposits per account, appended with OCC.
const streams = new Map<string, number[]>();
async function append(actorId: string, expectedVersion: ExpectedVersion, amount: number) {
  const stream = streams.get(actorId) ?? [];
  assertExpectedVersion(actorId, expectedVersion, stream.length);
  streams.set(actorId, [...stream, amount]);
}

// Two writers read version 0 and race to write version 1: the loser reloads and tries again.
const deposit = (amount: number) =>
  retryOnConflict(async (attempt) => {
    const version = streams.get("acc-1")?.length ?? 0; // 1. reload
    await new Promise((resolve) => setTimeout(resolve, 1)); // (the other writer runs here)
    await append("acc-1", version, amount); // 2. decide and append, expecting `version`
    return attempt;
  });
console.log(await Promise.all([deposit(10), deposit(5)])); // [ 1, 2 ]
console.log(streams.get("acc-1")); // [ 10, 5 ]

// A create-only write that finds the account already there is a domain answer, not a retry.
try {
  await append("acc-1", NO_STREAM, 100);
} catch (error) {
  if (isVersionConflict(error)) console.log(`409 Conflict: ${error.message}`);
}
