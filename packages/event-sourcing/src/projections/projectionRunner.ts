import { defaultLogger, isAetherError, type Event, type Logger } from "@aether/kernel";
import type { CatchUpSubscription } from "../allEvents.js";
import type { EventStore, ReplayError } from "../eventStore.js";
import type { CheckpointMove, CheckpointStore } from "./checkpointStore.js";
import type { Projection, ProjectionTx } from "./projection.js";
import { ProjectionError, projectionErrorCodes } from "./projectionError.js";
import { soleRunner, type ProjectionLease } from "./projectionLease.js";

export interface ProjectionRunnerOptions<TTx extends ProjectionTx> {
  /** The store whose namespace the projection reads. */
  store: EventStore;
  projection: Projection<TTx>;
  checkpoints: CheckpointStore<TTx>;
  /** One active runner per name across processes (KvProjectionLease). @default alone: always held */
  lease?: ProjectionLease;
  /**
   * Receives each stored entry that is not an event. The runner skips it — the checkpoint moves
   * past it — and goes on; it is also logged as a warning.
   */
  onMalformed?: (error: ReplayError) => void;
  logger?: Logger;
}

/** Positions committed together at most; a backlog is applied in transactions of this size. */
const MAX_BATCH = 256;

interface PositionBatch {
  position: number;
  events: Event[];
}

/** Resolves with undefined after pending I/O callbacks: what is not ready by then is not ready. */
function nothingReady(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(() => resolve(undefined)));
}

/** Where a runner is: waiting for the lease, reading the backlog, live, or stopped. */
export type ProjectionStatus = "idle" | "waiting" | "catchingUp" | "live" | "stopped" | "failed";

/**
 * Feeds a projection every event of a namespace, in order, from its checkpoint: each position's
 * events are handled in one unit of work of the checkpoint store together with the move of the
 * checkpoint, so a crash at any point leaves the read model and the checkpoint in agreement and
 * a restarted runner goes on from there. A malformed stored entry is reported and skipped; a
 * handler that throws stops the runner (its work for that position is rolled back where the
 * store has transactions) so that no event is silently left out.
 */
export class ProjectionRunner<TTx extends ProjectionTx = ProjectionTx> {
  readonly name: string;
  readonly #store: EventStore;
  readonly #projection: Projection<TTx>;
  readonly #checkpoints: CheckpointStore<TTx>;
  readonly #lease: ProjectionLease;
  readonly #onMalformed: ((error: ReplayError) => void) | undefined;
  readonly #logger: Logger;
  readonly #types: Set<string> | undefined;
  readonly #abort = new AbortController();
  #status: ProjectionStatus = "idle";
  #position = 0;
  #skipped = 0;
  #subscription: CatchUpSubscription | undefined;
  #done: Promise<void> | undefined;
  #rebuilds: (() => void)[] = [];
  #live: (() => void)[] = [];

  constructor(options: ProjectionRunnerOptions<TTx>) {
    this.#store = options.store;
    this.#projection = options.projection;
    this.name = options.projection.name;
    this.#checkpoints = options.checkpoints;
    this.#lease = options.lease ?? soleRunner;
    this.#onMalformed = options.onMalformed;
    this.#logger = (options.logger ?? defaultLogger()).child({
      component: "ProjectionRunner",
      projection: this.name,
    });
    this.#types =
      options.projection.eventTypes === undefined
        ? undefined
        : new Set(options.projection.eventTypes);
  }

  get status(): ProjectionStatus {
    return this.#status;
  }

  /** The last position this runner committed (or loaded); 0 before any. */
  get position(): number {
    return this.#position;
  }

  /** Malformed stored entries skipped so far. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Starts the runner in the background; `done` settles when it stops (rejecting with
   * PROJECTION_HANDLER_FAILED if a handler threw). Calling it again returns the same promise.
   */
  start(): Promise<void> {
    this.#done ??= this.#run();
    // The caller may never look at `done`; a failure is logged either way.
    this.#done.catch(() => undefined);
    return this.#done;
  }

  /** Settles when the runner has stopped: resolves after stop(), rejects if a handler threw. */
  get done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  /** Resolves once the runner has handled everything stored when it caught up (status "live"). */
  whenLive(): Promise<void> {
    if (this.#status === "live") return Promise.resolve();
    return new Promise((resolve) => this.#live.push(resolve));
  }

  /**
   * Empties the read model (`projection.reset`) and moves the checkpoint back to 0 in one unit of
   * work, then replays the namespace from its first event. Resolves once the reset is committed;
   * a runner that waits for the lease does it when it gets the lease.
   */
  rebuild(): Promise<void> {
    const done = new Promise<void>((resolve) => this.#rebuilds.push(resolve));
    void this.#subscription?.close();
    return done;
  }

  /** Stops reading, lets a handler in progress finish, and releases the lease. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#subscription?.close();
    await this.#done?.catch(() => undefined);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    try {
      while (!signal.aborted) {
        this.#status = "waiting";
        if (!(await this.#lease.acquire(this.name, signal))) break;
        try {
          await this.#follow();
          failures = 0;
        } catch (error) {
          if (!isAetherError(error) || !error.retryable) throw error;
          this.#logger.warn(
            { code: error.code, reason: error.message },
            "the projection lost its turn; waiting for the lease again",
          );
          await pause(Math.min(1000, 50 * 2 ** failures++), signal);
        } finally {
          await this.#lease.release().catch(() => undefined);
        }
      }
      this.#status = "stopped";
    } catch (error) {
      this.#status = "failed";
      this.#logger.error({ err: error }, "the projection stopped");
      throw error;
    }
  }

  /**
   * Reads from the checkpoint and commits until stopped or fenced. Positions that are already
   * delivered go into one commit together (up to MAX_BATCH), so a backlog costs one transaction
   * per batch rather than per event; a commit happens as soon as nothing more is ready.
   */
  async #follow(): Promise<void> {
    const signal = this.#abort.signal;
    let checkpoint = await this.#checkpoints.load(this.name);
    this.#position = checkpoint;
    while (!signal.aborted) {
      if (this.#rebuilds.length > 0) {
        checkpoint = await this.#reset(checkpoint);
        continue;
      }
      this.#status = "catchingUp";
      const subscription = this.#store.subscribeAll({ from: checkpoint + 1 });
      this.#subscription = subscription;
      const iterator = subscription[Symbol.asyncIterator]();
      let ready: PositionBatch[] = [];
      let current: Event[] = [];
      const flush = async () => {
        if (ready.length === 0) return;
        const batch = ready;
        ready = [];
        checkpoint = await this.#commit(checkpoint, batch);
      };
      try {
        for (;;) {
          const next = iterator.next();
          let result = ready.length === 0 ? await next : await Promise.race([next, nothingReady()]);
          if (result === undefined) {
            await flush();
            result = await next;
          }
          if (result.done === true) break;
          const item = result.value;
          if (item.type === "caughtUp") {
            await flush();
            this.#status = "live";
            for (const resolve of this.#live.splice(0)) resolve();
            continue;
          }
          if (item.type === "malformed") {
            this.#skipped++;
            this.#logger.warn(
              { position: item.position, error: item.error.error },
              "skipped a stored entry that is not an event",
            );
            this.#onMalformed?.(item.error);
            ready.push({ position: item.position, events: [] });
          } else {
            if (this.#types === undefined || this.#types.has(item.event.eventType)) {
              current.push(item.event);
            }
            if (!item.lastInPosition) continue;
            ready.push({ position: item.position, events: current });
            current = [];
          }
          if (ready.length >= MAX_BATCH) await flush();
        }
        await flush();
      } finally {
        await subscription.close();
        this.#subscription = undefined;
      }
    }
  }

  async #commit(from: number, batch: readonly PositionBatch[]): Promise<number> {
    const to = batch[batch.length - 1]!.position;
    await this.#checkpoints.commit(this.name, this.#move(from, to), async (tx) => {
      for (const { position, events } of batch) {
        tx.position = position;
        for (const event of events) {
          await this.#handled(() => this.#projection.handle(event, tx), event);
        }
      }
    });
    this.#position = to;
    return to;
  }

  async #reset(from: number): Promise<number> {
    const move = this.#move(from, 0);
    const resolved = this.#rebuilds.splice(0);
    await this.#checkpoints.commit(this.name, move, async (tx) => {
      await this.#handled(() => this.#projection.reset?.(tx), undefined);
    });
    this.#position = 0;
    this.#logger.info({ from }, "rebuilding the projection from position 0");
    for (const resolve of resolved) resolve();
    return 0;
  }

  async #handled(work: () => unknown, event: Event | undefined): Promise<void> {
    try {
      await work();
    } catch (error) {
      const what = event === undefined ? "reset" : `handle of event ${JSON.stringify(event.id)}`;
      throw new ProjectionError(
        projectionErrorCodes.HandlerFailed.code,
        `projection ${JSON.stringify(this.name)}: ${what} threw: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** The move of a commit, bounded by what is left of the lease; refused once it has lapsed. */
  #move(from: number, to: number): CheckpointMove {
    const heldForMs = this.#lease.heldForMs();
    if (heldForMs > 0) return { from, to, heldForMs };
    throw new ProjectionError(
      projectionErrorCodes.LeaseLost.code,
      `projection ${JSON.stringify(this.name)}: the lease lapsed before the commit`,
    );
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Creates a ProjectionRunner and starts it. */
export function startProjection<TTx extends ProjectionTx>(
  options: ProjectionRunnerOptions<TTx>,
): ProjectionRunner<TTx> {
  const runner = new ProjectionRunner(options);
  void runner.start();
  return runner;
}
