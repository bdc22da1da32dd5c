// What the actor-host bench and its node processes agree on.
import { defineActor } from "@aether/event-sourcing";

export const SHARDS = 64;

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

export type ControlRequest =
  | RunRequest
  | { op: "stats" }
  | { op: "serveFloor" }
  /** The shards this node serves, and the owner of `actorId` in its map. */
  | { op: "status"; actorId: string };

export interface RunReply {
  ops: number;
  ms: number;
  latencies: number[];
}
