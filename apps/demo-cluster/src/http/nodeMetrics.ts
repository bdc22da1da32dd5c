import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type CommandOutcome = "ok" | "repeated" | "refused" | "invalid" | "unavailable" | "error";

export interface MetricSources {
  leaderTerm: () => number;
  shardsOwned: () => number;
  bus: () => { delivered: number; dropped: number };
  totalMoney: () => number;
  cache: () => { hits: number; misses: number };
}

/** The Prometheus metrics of one node (its own registry: the embedded mode has several per process). */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly appends: Counter;
  readonly conflicts: Counter;
  readonly commands: Counter<"outcome">;
  readonly commandSeconds: Histogram;
  #commandsSoFar = 0;

  constructor(nodeId: string, sources: MetricSources) {
    this.registry.setDefaultLabels({ node: nodeId });
    const registers = [this.registry];
    this.appends = new Counter({
      name: "aether_appends_total",
      help: "Events appended by this node",
      registers,
    });
    this.conflicts = new Counter({
      name: "aether_version_conflicts_total",
      help: "Appends refused by optimistic concurrency",
      registers,
    });
    this.commands = new Counter({
      name: "aether_commands_total",
      help: "Commands received over HTTP, by outcome",
      labelNames: ["outcome"],
      registers,
    });
    this.commandSeconds = new Histogram({
      name: "aether_command_duration_seconds",
      help: "From receiving a command to answering it",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    // These counters live in the bus and the actor host; they are read at scrape time.
    let delivered = 0;
    let dropped = 0;
    let hits = 0;
    let misses = 0;
    new Counter({
      name: "aether_actor_cache_hits_total",
      help: "Commands on an actor whose state this node had cached",
      registers,
      collect() {
        const now = sources.cache().hits;
        if (now > hits) this.inc(now - hits);
        hits = now;
      },
    });
    new Counter({
      name: "aether_actor_cache_misses_total",
      help: "Commands that loaded the actor from the store",
      registers,
      collect() {
        const now = sources.cache().misses;
        if (now > misses) this.inc(now - misses);
        misses = now;
      },
    });
    new Counter({
      name: "aether_bus_deliveries_total",
      help: "Events the bus handed to this node's subscribers",
      registers,
      collect() {
        const now = sources.bus().delivered;
        if (now > delivered) this.inc(now - delivered);
        delivered = now;
      },
    });
    new Counter({
      name: "aether_bus_dropped_total",
      help: "Events dropped because a subscriber's buffer was full",
      registers,
      collect() {
        const now = sources.bus().dropped;
        if (now > dropped) this.inc(now - dropped);
        dropped = now;
      },
    });
    new Gauge({
      name: "aether_leader_term",
      help: "The current leader's term as this node sees it",
      registers,
      collect() {
        this.set(sources.leaderTerm());
      },
    });
    new Gauge({
      name: "aether_shards_owned",
      help: "Shards this node serves",
      registers,
      collect() {
        this.set(sources.shardsOwned());
      },
    });
    new Gauge({
      name: "demo_bank_total_money",
      help: "Sum of all balances in this node's read model",
      registers,
      collect() {
        this.set(sources.totalMoney());
      },
    });
  }

  observeCommand(outcome: CommandOutcome, seconds: number): void {
    this.commands.inc({ outcome });
    this.commandSeconds.observe(seconds);
    this.#commandsSoFar++;
  }

  /** Commands answered so far, for the dashboard's throughput. */
  get commandsAnswered(): number {
    return this.#commandsSoFar;
  }
}
