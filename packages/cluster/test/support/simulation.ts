import { ClusterNode, InMemoryCoordination } from "@aether/cluster";
import type {
  Coordination,
  CoordinationChange,
  CoordinationWatch,
  Scheduler,
  ShardStopReason,
} from "@aether/cluster";
import { ManualClock } from "@aether/kernel";
import type { DomainEvent, DomainEventPublisher } from "@aether/kernel";
import { VirtualScheduler } from "./virtualScheduler.js";

/** mulberry32: a tiny seeded PRNG, so a seed replays the same schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One simulated process: its timers and its coordination I/O freeze while it is paused (a GC
 * pause, SIGSTOP) and go on late when it resumes; its calls can be made slow.
 */
export class SimProcess implements Scheduler {
  paused = false;
  /** Called on resume before the frozen work goes on: the instant a zombie could act. */
  onResume: () => void = () => undefined;
  crashed = false;
  slowMs = 0;
  /** Delays each change its watch delivers by up to this much, in order: a consumer behind the acks. */
  watchLagMs = 0;
  #deferred: (() => void)[] = [];
  readonly #global: VirtualScheduler;
  readonly #random: () => number;

  readonly #rate: number;
  readonly #origin: number;

  /** `rate`: how fast this process's monotonic clock runs against real time (drift). */
  constructor(global: VirtualScheduler, random: () => number, rate: number) {
    this.#global = global;
    this.#random = random;
    this.#rate = rate;
    this.#origin = global.now();
  }

  now(): number {
    return (this.#global.now() - this.#origin) * this.#rate;
  }

  schedule(ms: number, callback: () => void): () => void {
    return this.#global.schedule(ms / this.#rate, () => this.run(callback));
  }

  /** Runs now, or when the process resumes; never after a crash. */
  run(callback: () => void): void {
    if (this.crashed) return;
    if (this.paused) this.#deferred.push(callback);
    else callback();
  }

  resume(): void {
    this.paused = false;
    this.onResume();
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const callback of deferred) this.run(callback);
  }

  #stalled: (() => void)[] | undefined;

  /** Holds every call to the store and every answer until `resumeIo()`, while timers go on (a partition). */
  stallIo(): void {
    this.#stalled ??= [];
  }

  resumeIo(): void {
    const stalled = this.#stalled ?? [];
    this.#stalled = undefined;
    for (const release of stalled) release();
  }

  /** A call's trip to the store: held while I/O is stalled, sent late while paused, slow when `slowMs` is set. */
  async trip(): Promise<void> {
    const stalled = this.#stalled;
    if (stalled !== undefined) await new Promise<void>((resolve) => stalled.push(resolve));
    await new Promise<void>((resolve) => this.run(resolve));
    const delay = this.slowMs > 0 ? Math.floor(this.#random() * this.slowMs) : 0;
    if (delay > 0) await new Promise<void>((resolve) => this.#global.schedule(delay, resolve));
  }

  /** The answer's trip back: held while I/O is stalled or the process paused. */
  async back<T>(value: T): Promise<T> {
    const stalled = this.#stalled;
    if (stalled !== undefined) await new Promise<void>((resolve) => stalled.push(resolve));
    await new Promise<void>((resolve) => this.run(resolve));
    return value;
  }

  coordination(store: InMemoryCoordination): Coordination {
    const call = async <T>(operation: () => Promise<T>): Promise<T> => {
      await this.trip();
      let result: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        result = { ok: true, value: await operation() };
      } catch (error) {
        result = { ok: false, error };
      }
      await this.back(undefined);
      if (!result.ok) throw result.error;
      return result.value;
    };
    return {
      get: (key) => call(() => store.get(key)),
      keys: (prefix) => call(() => store.keys(prefix)),
      create: (key, value) => call(() => store.create(key, value)),
      update: (key, value, revision) => call(() => store.update(key, value, revision)),
      delete: (key, revision) => call(() => store.delete(key, revision)),
      watch: (options) => this.#watch(store.watch(options)),
    };
  }

  #watch(inner: CoordinationWatch): CoordinationWatch {
    const back = async <T>(value: T): Promise<T> => {
      const lag = this.watchLagMs > 0 ? Math.floor(this.#random() * this.watchLagMs) : 0;
      if (lag > 0) await new Promise<void>((resolve) => this.#global.schedule(lag, resolve));
      return this.back(value);
    };
    return {
      stop: () => inner.stop(),
      async *[Symbol.asyncIterator](): AsyncIterator<CoordinationChange> {
        for await (const change of inner) yield await back(change);
      },
    };
  }
}

type ListenerState = { state: "started" } | { state: "draining"; reason: ShardStopReason };

export interface SimNode {
  name: string;
  process: SimProcess;
  node: ClusterNode | undefined;
  shards: Map<number, ListenerState>;
  gone: boolean;
  leaving: boolean;
}

export interface SimulationOptions {
  seed: number;
  shardCount?: number;
  initialNodes?: number;
  faults?: number;
  /** Virtual ms during which faults happen. */
  chaosMs?: number;
  /** Virtual ms without faults before convergence is checked. */
  quietMs?: number;
  trace?: (line: string) => void;
}

export class InvariantViolation extends Error {}

/**
 * N cluster nodes in one process on one InMemoryCoordination and virtual time, driven through a
 * seeded schedule of joins, leaves, crashes, pauses and slow calls, with the safety invariants
 * checked at every instant and convergence checked after a quiet period.
 */
export async function runSimulation(
  options: SimulationOptions,
): Promise<{ steps: number; elections: number }> {
  const random = seededRandom(options.seed);
  const shardCount = options.shardCount ?? 16;
  const global = new VirtualScheduler(25);
  const store = new InMemoryCoordination({ clock: new ManualClock(0) });
  const nodes: SimNode[] = [];
  const trace = options.trace ?? (() => undefined);
  let lastTerm = 0;
  let elections = 0;
  let steps = 0;
  let counter = 0;

  const fail = (message: string): never => {
    throw new InvariantViolation(`seed ${options.seed} at ${global.now()} ms: ${message}`);
  };
  const live = (): SimNode[] => nodes.filter((n) => !n.gone && !n.process.crashed);
  const acting = (): SimNode[] => live().filter((n) => !n.process.paused && n.node !== undefined);

  const publisherFor = (sim: SimNode): DomainEventPublisher => ({
    publishDomainEvent(event: DomainEvent) {
      if (event.type === "LeaderElected") {
        if (event.term <= lastTerm)
          fail(`${sim.name} elected with term ${event.term} after term ${lastTerm}`);
        lastTerm = event.term;
        elections++;
      }
      trace(`${global.now()} ${sim.name} ${event.type} ${JSON.stringify(event).slice(0, 120)}`);
    },
  });

  const startNode = (name: string): void => {
    // Clock rates within ±4%: inside the ±10% the default margin tolerates.
    const process = new SimProcess(global, random, 0.96 + random() * 0.08);
    process.onResume = () => checkSafety();
    const sim: SimNode = {
      name,
      process,
      node: undefined,
      shards: new Map(),
      gone: false,
      leaving: false,
    };
    nodes.push(sim);
    trace(`${global.now()} start ${name}`);
    void ClusterNode.start({
      coordination: process.coordination(store),
      nodeId: name,
      shardCount,
      scheduler: process,
      publisher: publisherFor(sim),
      shardListener: {
        shardStarted(shardId) {
          checkStart(sim, shardId);
          sim.shards.set(shardId, { state: "started" });
        },
        async shardStopping(shardId, reason) {
          sim.shards.set(shardId, { state: "draining", reason });
          const drainMs = Math.floor(random() * 400);
          await new Promise<void>((resolve) => process.schedule(drainMs, resolve));
          sim.shards.delete(shardId);
        },
      },
    }).then(
      (node) => {
        sim.node = node;
      },
      (error: unknown) => {
        if (!process.crashed) fail(`${name} failed to start: ${String(error)}`);
      },
    );
  };

  // A node that starts a shard must be the only one that may serve it: nobody else owns it, and
  // nobody else is still draining it after a planned move.
  const checkStart = (starter: SimNode, shardId: number): void => {
    for (const other of acting()) {
      if (other === starter) continue;
      if (other.node!.ownsShard(shardId))
        fail(`${starter.name} starts shard ${shardId} while ${other.name} owns it`);
      const state = other.shards.get(shardId);
      if (state?.state === "started")
        fail(`${starter.name} starts shard ${shardId} while ${other.name} has not stopped it`);
      if (state?.state === "draining" && state.reason !== "lease-lapsed") {
        fail(
          `${starter.name} starts shard ${shardId} while ${other.name} still drains it (${state.reason})`,
        );
      }
    }
  };

  const checkSafety = (): void => {
    steps++;
    const leaders = acting().filter((n) => n.node!.isLeader());
    if (leaders.length > 1) fail(`two leaders act: ${leaders.map((n) => n.name).join(", ")}`);
    for (let shard = 0; shard < shardCount; shard++) {
      const owners = acting().filter((n) => n.node!.ownsShard(shard));
      if (owners.length > 1)
        fail(`shard ${shard} served by ${owners.map((n) => n.name).join(", ")}`);
    }
  };

  const pick = (from: SimNode[]): SimNode | undefined =>
    from.length === 0 ? undefined : from[Math.floor(random() * from.length)];

  const initial = options.initialNodes ?? 1 + Math.floor(random() * 4);
  for (let i = 0; i < initial; i++) startNode(`n${++counter}`);

  const chaosMs = options.chaosMs ?? 15_000;
  const faults = options.faults ?? 6 + Math.floor(random() * 8);
  const times = Array.from({ length: faults }, () => Math.floor(random() * chaosMs)).sort(
    (a, b) => a - b,
  );
  let elapsed = 0;
  const paused: SimNode[] = [];
  for (const at of times) {
    await global.advance(at - elapsed, checkSafety);
    elapsed = at;
    const roll = random();
    const candidates = acting();
    if (roll < 0.25 || candidates.length === 0) {
      startNode(`n${++counter}`);
    } else if (roll < 0.4) {
      const sim = pick(candidates)!;
      trace(`${global.now()} leave ${sim.name}`);
      sim.leaving = true;
      void sim.node!.leave().then(() => {
        sim.gone = true;
      });
    } else if (roll < 0.55) {
      const sim = pick(candidates)!;
      trace(`${global.now()} crash ${sim.name}`);
      sim.process.crashed = true;
    } else if (roll < 0.8) {
      const sim = pick(candidates)!;
      // Half the pauses end near a lease's end, where a zombie and its successor could overlap.
      const pauseMs =
        random() < 0.5 ? 2000 + Math.floor(random() * 1500) : 500 + Math.floor(random() * 7000);
      trace(`${global.now()} pause ${sim.name} for ${pauseMs} ms`);
      sim.process.paused = true;
      paused.push(sim);
      global.schedule(pauseMs, () => {
        trace(`${global.now()} resume ${sim.name}`);
        sim.process.resume();
      });
    } else if (roll < 0.9) {
      const sim = pick(candidates)!;
      const partitionMs = 1000 + Math.floor(random() * 5000);
      trace(`${global.now()} partition ${sim.name} for ${partitionMs} ms`);
      sim.process.stallIo();
      global.schedule(partitionMs, () => sim.process.resumeIo());
    } else if (roll < 0.95) {
      const sim = pick(candidates)!;
      sim.process.slowMs = 200 + Math.floor(random() * 1500);
      trace(`${global.now()} slow ${sim.name} ${sim.process.slowMs} ms`);
      global.schedule(2000 + Math.floor(random() * 5000), () => {
        sim.process.slowMs = 0;
      });
    } else {
      const sim = pick(candidates)!;
      sim.process.watchLagMs = 100 + Math.floor(random() * 1000);
      trace(`${global.now()} watch of ${sim.name} lags ${sim.process.watchLagMs} ms`);
      global.schedule(2000 + Math.floor(random() * 5000), () => {
        sim.process.watchLagMs = 0;
      });
    }
  }
  await global.advance(chaosMs - elapsed + 5000, checkSafety);
  for (const sim of paused) if (sim.process.paused) sim.process.resume();
  for (const sim of nodes) {
    sim.process.slowMs = 0;
    sim.process.watchLagMs = 0;
    sim.process.resumeIo();
  }
  if (live().every((n) => n.leaving)) startNode(`n${++counter}`);
  await global.advance(options.quietMs ?? 8000, checkSafety);

  const running = live().filter((n) => n.node !== undefined && !n.leaving);
  if (running.length === 0) fail("no node running after the quiet period");
  const versions = new Set(running.map((n) => n.node!.getShardAssignments().version));
  if (versions.size !== 1) fail(`nodes disagree on the map version: ${[...versions].join(", ")}`);
  const leaders = running.filter((n) => n.node!.isLeader());
  if (leaders.length !== 1) fail(`${leaders.length} leaders after the quiet period`);
  for (let shard = 0; shard < shardCount; shard++) {
    const owners = running.filter((n) => n.node!.ownsShard(shard));
    if (owners.length !== 1)
      fail(`shard ${shard} has ${owners.length} serving nodes after the quiet period`);
  }
  for (const sim of nodes) sim.process.crashed = true;
  store.close();
  return { steps, elections };
}
