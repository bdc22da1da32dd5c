// What the actor-host bench and its node processes agree on.
import { defineActor } from "@aether/event-sourcing";

export const SHARDS = 64;

/** FNV-1a of the actor id: the fixed map's shard function, the same in every process. */
export function shardOf(actorId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < actorId.length; i++) {
    hash ^= actorId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

export const counter = defineActor({
  name: "Counter",
  initialState: () => ({ total: 0 }),
  decide: (command: { amount: number }) => ({
    eventType: "Added" as const,
    data: { amount: command.amount, note: "bench deposit" },
  }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
});

export interface RunRequest {
  op: "aether" | "floor";
  actors: string[];
  /** Commands in all. */
  count: number;
  /** Commands in flight at once; 1 measures latency. */
  concurrency: number;
}

export interface RunReply {
  ops: number;
  ms: number;
  latencies: number[];
}
