import { DOMAIN_EVENTS_NAMESPACE, type EventBus, type Subscription } from "@aether/event-bus";
import type { EventStore } from "@aether/event-sourcing";
import { createId, type DomainEvent, type Event, type Logger } from "@aether/kernel";
import { bankAccount, type BankAccount, type BankAccountCommand } from "./domain/bankAccount.js";
import { BankError } from "./domain/bankError.js";
import { BankReadModel } from "./domain/bankReadModel.js";
import { DomainEventLog } from "./domain/domainEventLog.js";
import {
  finishTransfer,
  transfer,
  type TransferOutcome,
  type TransferRequest,
} from "./domain/transfer.js";
import { NodeMetrics } from "./http/nodeMetrics.js";
import { LoadRun, loadAccountIds, type LoadProgress, type TransferResult } from "./load/loadRun.js";
import type { AccountResult } from "./runtime/accountResult.js";
import type { ClusterView } from "./runtime/clusterView.js";
import type { NodeRuntime, SendOptions } from "./runtime/nodeRuntime.js";
import type { EventStoreObserver } from "./runtime/observedEventStore.js";

export type NodeAction = "kill" | "pause" | "resume" | "leave";

/**
 * What the dashboard's node buttons do, offered by the local launcher only: kill -9, SIGSTOP,
 * SIGCONT and a graceful leave (SIGTERM). The embedded mode has no process to freeze, so it offers
 * kill and leave only.
 */
export interface NodeControl {
  readonly actions: readonly NodeAction[];
  run(nodeId: string, action: NodeAction): Promise<void>;
}

export interface DemoNodeOptions {
  nodeId: string;
  /** Where account events are published on the bus. */
  namespace: string;
  bus: EventBus;
  eventStore: EventStore;
  /** Starts this node's cluster membership and command routing; its store reports to `observer`. */
  startRuntime: (observer: EventStoreObserver) => NodeRuntime | Promise<NodeRuntime>;
  control?: NodeControl;
  logger: Logger;
  /**
   * Also share the cluster facts this node's runtime reports with the other nodes over the bus
   * (separate processes: each one's domain events are local to it).
   */
  shareFacts?: boolean;
  /** A transfer withdrawn this long ago and not deposited is finished by the leader. @default 10_000 */
  recoverAfterMs?: number;
}

export interface AccountSnapshot {
  actorId: string;
  state: BankAccount;
  version: number;
  shardId: number;
  owner: string | null;
}

const FACTS_NAMESPACE_SUFFIX = "facts";
// A transfer whose client gave up (its node died, its deadline passed) is finished by the leader.
const RECOVERY_EVERY_MS = 2_000;
const RECOVER_AFTER_MS = 10_000;
const RECOVER_AT_ONCE = 100;
const LOAD_ACCOUNTS = 100;
const LOAD_INITIAL_BALANCE = 1_000;

/**
 * One node of the demo: its runtime (membership and routing), the read model and the domain-event
 * log fed by the bus, its metrics, and the load button's run. The HTTP API is a thin edge over it.
 */
export class DemoNode {
  readonly runtime: NodeRuntime;
  readonly readModel: BankReadModel;
  readonly domainEvents = new DomainEventLog();
  readonly metrics: NodeMetrics;
  readonly control: NodeControl | undefined;
  readonly logger: Logger;
  readonly #options: DemoNodeOptions;
  readonly #accountListeners = new Set<(event: Event) => void>();
  readonly #subscriptions: Subscription[] = [];
  #delivered = 0;
  #load: LoadRun | undefined;
  #recovery: NodeJS.Timeout | undefined;
  #recovering = false;
  #recovered = 0;

  private constructor(
    options: DemoNodeOptions,
    runtime: NodeRuntime,
    metrics: NodeMetrics,
    readModel: BankReadModel,
  ) {
    this.#options = options;
    this.runtime = runtime;
    this.metrics = metrics;
    this.readModel = readModel;
    this.control = options.control;
    this.logger = options.logger;
  }

  static async start(options: DemoNodeOptions): Promise<DemoNode> {
    const { bus, namespace, eventStore } = options;
    const readModel = new BankReadModel({
      readEvents: (actorId, fromVersion) => eventStore.readEvents(actorId, { fromVersion }),
    });
    // Filled in once the runtime exists; the metrics read them at scrape time.
    const live: { runtime?: NodeRuntime; node?: DemoNode } = {};
    const metrics = new NodeMetrics(options.nodeId, {
      leaderTerm: () => live.runtime?.view().leader?.term ?? 0,
      shardsOwned: () =>
        live.runtime?.view().shards.filter((owner) => owner === options.nodeId).length ?? 0,
      bus: () => (live.node === undefined ? { delivered: 0, dropped: 0 } : live.node.#busStats()),
      totalMoney: () => readModel.totals().total,
      cache: () => live.runtime?.cacheStats() ?? { hits: 0, misses: 0 },
    });
    const observer: EventStoreObserver = {
      conflict: () => metrics.conflicts.inc(),
      appended: (events) => {
        metrics.appends.inc(events.length);
        for (const event of events) bus.publish(namespace, event);
      },
    };
    live.runtime = await options.startRuntime(observer);
    const node = new DemoNode(options, live.runtime, metrics, readModel);
    live.node = node;
    node.#subscribe();
    node.#recovery = setInterval(() => void node.#recoverTransfers(), RECOVERY_EVERY_MS);
    node.#recovery.unref();
    return node;
  }

  #busStats(): { delivered: number; dropped: number } {
    return {
      delivered: this.#delivered,
      dropped: this.#subscriptions.reduce((sum, subscription) => sum + subscription.dropped, 0),
    };
  }

  get nodeId(): string {
    return this.runtime.nodeId;
  }

  #subscribe(): void {
    const { bus, namespace, shareFacts } = this.#options;
    const accounts = bus.subscribe(namespace, {
      bufferSize: 262_144,
      onEvent: (event) => {
        this.#delivered++;
        this.readModel.apply(event);
        for (const listener of this.#accountListeners) listener(event);
      },
    });
    const facts = `${namespace}.${FACTS_NAMESPACE_SUFFIX}`;
    const domain = bus.subscribe(DOMAIN_EVENTS_NAMESPACE, {
      onEvent: (event) => {
        this.#delivered++;
        const fact = event.data as DomainEvent;
        this.domainEvents.add(fact);
        if (shareFacts === true && isClusterFact(fact)) {
          bus.publish(facts, {
            id: createId(),
            eventType: fact.type,
            actorId: this.nodeId,
            version: 1,
            data: fact,
            timestamp: fact.at,
          });
        }
      },
    });
    this.#subscriptions.push(accounts, domain);
    if (shareFacts === true) {
      const remote = bus.subscribe(facts, {
        onEvent: (event) => {
          this.#delivered++;
          if (event.actorId !== this.nodeId) this.domainEvents.add(event.data as DomainEvent);
        },
      });
      this.#subscriptions.push(remote);
    }
  }

  /**
   * The runtime's view, plus the nodes it no longer lists: a departed node stays on the dashboard
   * as `failed` or `left`, as the domain events said, until it comes back.
   */
  view(): ClusterView {
    const view = this.runtime.view();
    const listed = new Set(view.nodes.map((node) => node.nodeId));
    const departed = new Map<string, "failed" | "left">();
    for (const fact of this.domainEvents.recent(500)) {
      if (fact.type === "NodeFailed") departed.set(fact.nodeId, "failed");
      else if (fact.type === "NodeLeft") departed.set(fact.nodeId, "left");
      else if (fact.type === "NodeJoined") departed.delete(fact.nodeId);
    }
    for (const [nodeId, status] of departed) {
      if (!listed.has(nodeId)) view.nodes.push({ nodeId, status, shardsOwned: 0 });
    }
    return view;
  }

  /** Transfers this node finished for a client that had given up. */
  get transfersRecovered(): number {
    return this.#recovered;
  }

  // Only the leader works through them, so the nodes do not all re-send the same steps; the
  // commandIds would make that harmless, only wasteful.
  async #recoverTransfers(): Promise<void> {
    if (this.#recovering || this.runtime.view().leader?.nodeId !== this.nodeId) return;
    this.#recovering = true;
    try {
      const unfinished = this.readModel.unfinishedTransfers(
        this.#options.recoverAfterMs ?? RECOVER_AFTER_MS,
        RECOVER_AT_ONCE,
      );
      await Promise.all(
        unfinished.map(async ({ transferId, from, to, amount }) => {
          try {
            await finishTransfer(
              (actorId, command, options) => this.runtime.send(actorId, command, options),
              { transferId, from, to, amount },
              { settleWithinMs: 5_000 },
            );
            this.#recovered++;
            this.logger.info({ transferId, from, to, amount }, "finished an unfinished transfer");
          } catch (error) {
            this.logger.warn({ err: error, transferId }, "unfinished transfer: next round");
          }
        }),
      );
    } finally {
      this.#recovering = false;
    }
  }

  /** Hears every account event this node's bus delivers (all nodes' events). */
  onAccountEvent(listener: (event: Event) => void): () => void {
    this.#accountListeners.add(listener);
    return () => this.#accountListeners.delete(listener);
  }

  send(
    actorId: string,
    command: BankAccountCommand,
    options?: SendOptions,
  ): Promise<AccountResult> {
    return this.runtime.send(actorId, command, options);
  }

  transfer(request: TransferRequest, timeoutMs?: number): Promise<TransferOutcome> {
    return transfer(
      (actorId, command, options) => this.runtime.send(actorId, command, options),
      request,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  /** The actor's state as stored (any node can read it); undefined when it has no events. */
  async readAccount(actorId: string): Promise<AccountSnapshot | undefined> {
    let state = bankAccount.initialState();
    let version = 0;
    for await (const event of this.#options.eventStore.readEvents(actorId)) {
      state = bankAccount.evolve(state, event as never);
      version = event.version;
    }
    if (version === 0) return undefined;
    return {
      actorId,
      state,
      version,
      shardId: this.runtime.shardFor(actorId),
      owner: this.runtime.ownerOf(actorId) ?? null,
    };
  }

  async history(actorId: string): Promise<Event[]> {
    const events: Event[] = [];
    for await (const event of this.#options.eventStore.readEvents(actorId)) events.push(event);
    return events;
  }

  /** Opens the load accounts (idempotent: a second call mints nothing) and starts transfers. */
  async startLoad(options: { rate: number; durationMs: number }): Promise<LoadProgress> {
    this.#load?.stop();
    const accounts = loadAccountIds(LOAD_ACCOUNTS);
    await openAccounts((actorId, command, opts) => this.send(actorId, command, opts), accounts);
    this.#load = new LoadRun((request) => this.#transferResult(request), {
      ...options,
      accounts,
    }).start();
    return this.#load.progress();
  }

  stopLoad(): LoadProgress | undefined {
    this.#load?.stop();
    return this.#load?.progress();
  }

  loadProgress(): LoadProgress | undefined {
    return this.#load?.progress();
  }

  async #transferResult(request: TransferRequest): Promise<TransferResult> {
    const started = performance.now();
    try {
      const outcome = await this.transfer(request);
      this.metrics.observeCommand("ok", (performance.now() - started) / 1000);
      return outcome.status;
    } catch (error) {
      const refused = error instanceof BankError;
      this.metrics.observeCommand(
        refused ? "refused" : "error",
        (performance.now() - started) / 1000,
      );
      return refused ? "refused" : "failed";
    }
  }

  async close(options: { graceful: boolean }): Promise<void> {
    this.#load?.stop();
    clearInterval(this.#recovery);
    if (options.graceful) await this.runtime.leave();
    else await this.runtime.close();
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }
}

function isClusterFact(event: DomainEvent): boolean {
  switch (event.type) {
    case "NodeJoined":
    case "NodeLeft":
    case "NodeFailed":
    case "LeaderElected":
    case "LeadershipLost":
    case "ShardAssigned":
    case "ShardMigrated":
      return true;
    default:
      return false;
  }
}

/**
 * Opens each account with a starting balance. The deposit's commandId is derived from the
 * account, so running this again (another load run, another node) mints nothing.
 */
export async function openAccounts(
  send: (actorId: string, command: BankAccountCommand, options: SendOptions) => Promise<unknown>,
  accounts: readonly string[],
): Promise<void> {
  await Promise.all(
    accounts.map(async (actorId) => {
      await send(actorId, { type: "Open", owner: actorId }, { commandId: `open:${actorId}` }).catch(
        (error: unknown) => {
          if (!(error instanceof BankError && error.code === "ACCOUNT_ALREADY_OPEN")) throw error;
        },
      );
      await send(
        actorId,
        { type: "Deposit", amount: LOAD_INITIAL_BALANCE },
        { commandId: `seed:${actorId}` },
      );
    }),
  );
}
