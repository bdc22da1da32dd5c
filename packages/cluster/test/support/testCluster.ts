import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import type { ClusterNodeOptions, ShardStopReason } from "@aether/cluster";
import { DomainEventRecorder, ManualClock } from "@aether/kernel";
import { SimProcess } from "./simulation.js";
import { VirtualScheduler } from "./virtualScheduler.js";

export interface LifecycleRecord {
  at: number;
  nodeId: string;
  shardId: number;
  what: "started" | "stopping" | "stopped";
  reason?: ShardStopReason;
}

/** Nodes on one InMemoryCoordination and virtual time; each node a process that can be paused. */
export class TestCluster {
  readonly scheduler = new VirtualScheduler();
  readonly coordination = new InMemoryCoordination({ clock: new ManualClock(0) });
  readonly events = new DomainEventRecorder();
  readonly lifecycle: LifecycleRecord[] = [];
  readonly processes = new Map<string, SimProcess>();
  drainMs = 0;

  /** `clockRate`: how fast the node's monotonic clock runs against real time. */
  async start(
    nodeId: string,
    options: Partial<ClusterNodeOptions> = {},
    clockRate = 1,
  ): Promise<ClusterNode> {
    const process = new SimProcess(this.scheduler, () => 0, clockRate);
    this.processes.set(nodeId, process);
    const starting = ClusterNode.start({
      coordination: process.coordination(this.coordination),
      nodeId,
      scheduler: process,
      publisher: this.events,
      shardListener: {
        shardStarted: (shardId) => {
          this.lifecycle.push({ at: this.scheduler.now(), nodeId, shardId, what: "started" });
        },
        shardStopping: async (shardId, reason) => {
          this.lifecycle.push({
            at: this.scheduler.now(),
            nodeId,
            shardId,
            what: "stopping",
            reason,
          });
          if (this.drainMs > 0)
            await new Promise<void>((resolve) => process.schedule(this.drainMs, resolve));
          this.lifecycle.push({
            at: this.scheduler.now(),
            nodeId,
            shardId,
            what: "stopped",
            reason,
          });
        },
      },
      ...options,
    });
    // Start-up waits on timers (a stale key), so virtual time must run while it does.
    let node: ClusterNode | undefined;
    let failure: unknown;
    starting.then(
      (started) => (node = started),
      (error: unknown) => (failure = error),
    );
    await this.scheduler.advanceUntil(
      () => node !== undefined || failure !== undefined,
      60_000,
      10,
    );
    if (failure !== undefined) throw failure;
    return node!;
  }

  async run(ms: number): Promise<void> {
    await this.scheduler.advance(ms);
  }

  /** Runs virtual time while `work` is pending. */
  async during<T>(work: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false;
    let value: T | undefined;
    let failure: unknown;
    work.then(
      (result) => {
        done = true;
        value = result;
      },
      (error: unknown) => {
        done = true;
        failure = error;
      },
    );
    await this.scheduler.advanceUntil(() => done, maxMs, 10);
    if (failure !== undefined) throw failure;
    return value as T;
  }

  owners(nodes: readonly ClusterNode[], shardCount: number): (string | undefined)[][] {
    return Array.from({ length: shardCount }, (_, shard) =>
      nodes.filter((node) => node.ownsShard(shard)).map((node) => node.nodeId),
    );
  }
}
