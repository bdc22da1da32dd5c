import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ProjectionRunner, type EventStore, type ReplayError } from "@aether/event-sourcing";
import { JetStreamEventStore, KvProjectionLease } from "@aether/event-sourcing/jetstream";
import { PostgresCheckpointStore } from "@aether/event-sourcing/postgres";
import { actorSubject } from "@aether/namespace/naming";
import { connectTo, uniqueName, waitFor } from "@aether/test-support";
import type pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { balancesProjection } from "./fixtures/balancesProjection.js";
import { balancesSchema, testPool } from "./fixtures/postgres.js";

const fixture = fileURLToPath(new URL("./fixtures/projectionProcess.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const LEASE_TTL_MS = 1_000;

/**
 * Deposits into `actors` accounts from a few writers (one per account), until stopped. A write
 * that fails stops the flow; stop() (or disposal) waits for every write in flight and reports it,
 * so no write outlives the test's connection.
 */
class DepositFlow implements AsyncDisposable {
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(store: EventStore, actors: number) {
    const writers = 4;
    this.#done = Promise.allSettled(
      Array.from({ length: writers }, (_, writer) => this.#write(store, actors, writers, writer)),
    ).then((results) => {
      const failed = results.find((result) => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    });
    // Reported by stop(); until then a failed write must not surface as an unhandled rejection.
    this.#done.catch(() => undefined);
  }

  async #write(store: EventStore, actors: number, writers: number, writer: number): Promise<void> {
    const versions = new Map<string, number>();
    try {
      for (let n = 0; !this.#stopped; n++) {
        const actorId = `acc-${writer + writers * (n % (actors / writers))}`;
        const version = (versions.get(actorId) ?? 0) + 1;
        await store.saveEvent({
          id: `${actorId}-${version}`,
          eventType: "Deposited",
          actorId,
          version,
          data: { amount: 1 + ((n * 7919) % 100) },
        });
        versions.set(actorId, version);
        // Pacing, not synchronisation: events keep flowing at a few hundred per second.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } catch (error) {
      this.#stopped = true;
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

interface RunnerProcess {
  child: ChildProcess;
  /** The name of its PostgreSQL sessions (application_name). */
  appName: string;
  /** Resolves once it competes for the lease; rejects, with its stderr, if it exits first. */
  started: Promise<void>;
  exited: Promise<void>;
}

/** Runner processes; disposal kills (-9, which also ends a SIGSTOP) and reaps every one. */
class RunnerProcesses implements AsyncDisposable {
  readonly #all: RunnerProcess[] = [];

  start(args: string[]): RunnerProcess {
    const [, , schema, id] = args;
    const appName = `${schema}-${id}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@aether/source", fixture, ...args],
      {
        cwd: packageDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PGAPPNAME: appName },
      },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const started = new Promise<void>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.split("\n").includes("started")) resolve();
      });
      void exited.then(() => reject(new Error(`runner ${id} exited before it started: ${stderr}`)));
    });
    started.catch(() => undefined);
    const runner = { child, appName, started, exited };
    this.#all.push(runner);
    return runner;
  }

  async kill(runner: RunnerProcess): Promise<void> {
    runner.child.kill("SIGKILL");
    await runner.exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#all.map((runner) => this.kill(runner)));
  }
}

/**
 * Stops `runner` (SIGSTOP) at a moment it is inside a commit, past the checkpoint move: its
 * transaction holds the checkpoint row's lock and waits for statements that will not come. The
 * hardest moment to freeze a runner at, so the test does not leave it to chance.
 */
async function freezeInsideCommit(pool: pg.Pool, schema: string, runner: RunnerProcess) {
  const holdsRowLock = async () => {
    const result = await pool.query(
      `SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
        WHERE a.application_name = $1 AND a.state = 'idle in transaction'
          AND l.relation = $2::regclass AND l.mode = 'RowExclusiveLock' AND l.granted`,
      [runner.appName, `"${schema}".aether_projection_checkpoints`],
    );
    return result.rows.length > 0;
  };
  await waitFor(
    async () => {
      runner.child.kill("SIGSTOP");
      // Twice: a statement it sent just before the stop (its COMMIT) may still be on its way.
      if ((await holdsRowLock()) && (await holdsRowLock())) return true;
      runner.child.kill("SIGCONT");
      return false;
    },
    { timeoutMs: 30_000, description: "the runner frozen inside a commit" },
  );
}

async function checkpointOf(pool: pg.Pool, schema: string): Promise<number> {
  const result = await pool.query<{ position: string }>(
    `SELECT position FROM "${schema}".aether_projection_checkpoints WHERE name = 'balances'`,
  );
  return Number(result.rows[0]?.position ?? 0);
}

/** The read model must equal what the store holds: sums per actor, each event applied once. */
async function expectReadModelMatchesStore(pool: pg.Pool, schema: string, store: EventStore) {
  const sums = new Map<string, number>();
  const stored: string[] = [];
  for await (const { event } of store.readAll()) {
    stored.push(event.id);
    sums.set(
      event.actorId,
      (sums.get(event.actorId) ?? 0) + (event.data as { amount: number }).amount,
    );
  }
  const balances = await pool.query<{ actor_id: string; total: string }>(
    `SELECT actor_id, total FROM "${schema}".balances`,
  );
  expect(new Map(balances.rows.map((row) => [row.actor_id, Number(row.total)]))).toEqual(sums);
  const applied = await pool.query<{ event_id: string }>(
    `SELECT event_id FROM "${schema}".applied ORDER BY position`,
  );
  expect(applied.rows.map((row) => row.event_id)).toEqual(stored);
  return stored.length;
}

describe("event-sourcing projections on JetStream and PostgreSQL", () => {
  it(
    "applies every deposit across 100 actors exactly once while the runner process is killed -9 again and again",
    { timeout: 240_000 },
    async () => {
      const url = inject("natsUrl");
      const nc = await connectTo(url);
      const pool = testPool();
      try {
        await using db = await balancesSchema(pool);
        const namespace = uniqueName("kill9");
        const store = new JetStreamEventStore(nc, { namespace: namespace });
        await store.ensureStream();
        await using flow = new DepositFlow(store, 100);
        const args = (id: string) => [url, namespace, db.schema, id, String(LEASE_TTL_MS)];
        let reached = 0;
        const kills = 4;
        await using processes = new RunnerProcesses();
        let active = processes.start(args("r0"));
        for (let round = 0; round < kills; round++) {
          const from = reached;
          await waitFor(async () => (await checkpointOf(pool, db.schema)) >= from + 100, {
            timeoutMs: 60_000,
            description: `runner ${round} made progress`,
          });
          // The next runner waits for the lease beside this one, as a standby does: it has to
          // take over from a runner killed while it was applying, not from one that had stopped.
          const killed = active;
          active = processes.start(args(round + 1 < kills ? `r${round + 1}` : "final"));
          await active.started;
          await processes.kill(killed);
          reached = await checkpointOf(pool, db.schema);
        }
        await flow.stop();
        const page = await store.getAllEventsWithErrors({ from: reached, limit: 1_000_000 });
        const head = page.nextPosition - 1;
        await waitFor(async () => (await checkpointOf(pool, db.schema)) === head, {
          timeoutMs: 60_000,
          description: "the last runner reached the head",
        });
        await processes.kill(active);
        const events = await expectReadModelMatchesStore(pool, db.schema, store);
        const runners = await pool.query<{ runner: string }>(
          `SELECT DISTINCT runner FROM "${db.schema}".applied`,
        );
        expect(runners.rows.length).toBeGreaterThanOrEqual(kills);
        console.info(`kill -9 of the runner ${kills} times: ${events} events, each applied once`);
      } finally {
        await pool.end();
        await nc.close();
      }
    },
  );

  it(
    "keeps a runner that was frozen (SIGSTOP) inside a commit past its lease from applying anything once another took over",
    { timeout: 120_000 },
    async () => {
      const url = inject("natsUrl");
      const nc = await connectTo(url);
      const pool = testPool();
      try {
        await using db = await balancesSchema(pool);
        const namespace = uniqueName("frozen");
        const store = new JetStreamEventStore(nc, { namespace: namespace });
        await store.ensureStream();
        await using flow = new DepositFlow(store, 20);
        const args = (id: string) => [url, namespace, db.schema, id, String(LEASE_TTL_MS)];
        await using processes = new RunnerProcesses();
        const a = processes.start(args("A"));
        await waitFor(async () => (await checkpointOf(pool, db.schema)) >= 100, {
          timeoutMs: 30_000,
        });
        const b = processes.start(args("B"));
        await b.started;
        await freezeInsideCommit(pool, db.schema, a);
        const frozenAt = await checkpointOf(pool, db.schema);
        // A's frozen transaction holds the checkpoint row. Its idle timeout is left at the 30 s
        // default, so B gets through well before that only if the lease bounds A's transaction.
        await waitFor(async () => (await checkpointOf(pool, db.schema)) >= frozenAt + 100, {
          timeoutMs: 20_000,
          description: "B took over from the frozen A",
        });
        a.child.kill("SIGCONT");
        const resumedAt = await checkpointOf(pool, db.schema);
        await waitFor(async () => (await checkpointOf(pool, db.schema)) >= resumedAt + 100, {
          timeoutMs: 30_000,
          description: "progress after A woke up",
        });
        await flow.stop();
        const head = (await store.getAllEventsWithErrors({ limit: 1_000_000 })).nextPosition - 1;
        await waitFor(async () => (await checkpointOf(pool, db.schema)) === head, {
          timeoutMs: 30_000,
        });
        await Promise.all([processes.kill(a), processes.kill(b)]);
        await expectReadModelMatchesStore(pool, db.schema, store);
        const runs = await pool.query<{ runner: string; first: string; last: string }>(
          `SELECT runner, min(position) AS first, max(position) AS last FROM "${db.schema}".applied GROUP BY runner ORDER BY first`,
        );
        // A applied up to where it froze — the commit it was frozen in never landed — and B
        // everything after.
        expect(runs.rows.map((row) => row.runner)).toEqual(["A", "B"]);
        expect(Number(runs.rows[0]!.last)).toBe(frozenAt);
        expect(Number(runs.rows[1]!.first)).toBe(frozenAt + 1);
      } finally {
        await pool.end();
        await nc.close();
      }
    },
  );

  it(
    "lets one of two runners for a name apply at a time; the other takes over when it dies",
    { timeout: 60_000 },
    async () => {
      const url = inject("natsUrl");
      const writer = await connectTo(url);
      const ncA = await connectTo(url);
      const ncB = await connectTo(url);
      const pool = testPool();
      try {
        await using db = await balancesSchema(pool);
        const namespace = uniqueName("two");
        const store = new JetStreamEventStore(writer, { namespace: namespace });
        const runnerFor = (nc: typeof ncA, id: string) =>
          new ProjectionRunner({
            store: new JetStreamEventStore(nc, { namespace: namespace }),
            projection: balancesProjection(db.schema, id),
            checkpoints: new PostgresCheckpointStore({ pool, schema: db.schema }),
            lease: new KvProjectionLease(nc, { namespace, ttlMs: LEASE_TTL_MS }),
          });
        const a = runnerFor(ncA, "A");
        await using _stopA = { [Symbol.asyncDispose]: () => a.stop() };
        void a.start();
        await a.whenLive();
        const b = runnerFor(ncB, "B");
        await using _stopB = { [Symbol.asyncDispose]: () => b.stop() };
        void b.start();
        await using flow = new DepositFlow(store, 20);
        await waitFor(async () => (await checkpointOf(pool, db.schema)) >= 200, {
          timeoutMs: 30_000,
        });
        expect(b.status).toBe("waiting");
        // A dies as a process would: its connection goes, nothing is released.
        await ncA.close();
        const diedAt = await checkpointOf(pool, db.schema);
        // Taking over is getting the lease and applying; "live" also needs B to have seen the
        // head, which it may not while the writers outpace it (a loaded machine), so that is
        // checked once they stop.
        await waitFor(() => b.status === "catchingUp" || b.status === "live", {
          timeoutMs: 30_000,
          description: "B took over",
        });
        await waitFor(async () => (await checkpointOf(pool, db.schema)) >= diedAt + 100, {
          timeoutMs: 30_000,
        });
        await flow.stop();
        const head = (await store.getAllEventsWithErrors({ limit: 1_000_000 })).nextPosition - 1;
        await waitFor(async () => (await checkpointOf(pool, db.schema)) === head, {
          timeoutMs: 30_000,
        });
        await waitFor(() => b.status === "live", { description: "B live at the head" });
        await b.stop();
        await a.stop();
        await expectReadModelMatchesStore(pool, db.schema, store);
        const runs = await pool.query<{ runner: string; first: string; last: string }>(
          `SELECT runner, min(position) AS first, max(position) AS last FROM "${db.schema}".applied GROUP BY runner ORDER BY first`,
        );
        expect(runs.rows.map((row) => row.runner)).toEqual(["A", "B"]);
        // A may finish what it had read while its lease was still valid by its own clock; B starts
        // right after A's last position, never beside it.
        expect(Number(runs.rows[1]!.first)).toBe(Number(runs.rows[0]!.last) + 1);
        expect(Number(runs.rows[0]!.last)).toBeGreaterThanOrEqual(diedAt);
      } finally {
        await pool.end();
        await Promise.all([writer.close(), ncB.close(), ncA.isClosed() ? undefined : ncA.close()]);
      }
    },
  );

  it(
    "reports a malformed stored event, skips it and goes on; rebuilds from 0 on demand",
    { timeout: 60_000 },
    async () => {
      const nc = await connectTo(inject("natsUrl"));
      const pool = testPool();
      try {
        await using db = await balancesSchema(pool);
        const namespace = uniqueName("skip");
        const store = new JetStreamEventStore(nc, { namespace: namespace });
        const deposit = (actorId: string, version: number, amount: number) =>
          store.saveEvent({
            id: `${actorId}-${version}`,
            eventType: "Deposited",
            actorId,
            version,
            data: { amount },
          });
        await deposit("a", 1, 10);
        await nc.request(actorSubject(namespace, "a"), '{"eventType":"Deposited","amount":999}');
        await deposit("a", 2, 5);
        const malformed: ReplayError[] = [];
        const runner = new ProjectionRunner({
          store,
          projection: balancesProjection(db.schema, "only"),
          checkpoints: new PostgresCheckpointStore({ pool, schema: db.schema }),
          onMalformed: (error) => malformed.push(error),
        });
        void runner.start();
        await runner.whenLive();
        expect(malformed).toEqual([expect.objectContaining({ sequence: 2 })]);
        expect(runner.skipped).toBe(1);
        await deposit("b", 1, 7);
        await waitFor(async () => (await checkpointOf(pool, db.schema)) === 4);
        await expectReadModelMatchesStore(pool, db.schema, store);
        await pool.query(`UPDATE "${db.schema}".balances SET total = -1`);
        await runner.rebuild();
        await waitFor(
          async () => runner.status === "live" && (await checkpointOf(pool, db.schema)) === 4,
        );
        await expectReadModelMatchesStore(pool, db.schema, store);
        expect(malformed).toHaveLength(2);
        await runner.stop();
      } finally {
        await pool.end();
        await nc.close();
      }
    },
  );
});
