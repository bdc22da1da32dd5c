import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DomainEvent } from "@aether/kernel";
import { waitFor } from "@aether/test-support";

const fixture = fileURLToPath(new URL("../fixtures/nodeProcess.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("../..", import.meta.url));

export interface StateRecord {
  at: number;
  lastPrevAt: number;
  leader: boolean;
  term: number | undefined;
  mapVersion: number;
  owned: number[];
}

/** What a node held, from when it was first seen to when it was last seen (wall clock, ms). */
export interface HeldInterval {
  nodeId: string;
  from: number;
  to: number;
}

/** A cluster node in its own OS process (see fixtures/nodeProcess.ts). */
export class NodeProcess {
  readonly nodeId: string;
  readonly states: StateRecord[] = [];
  readonly events: DomainEvent[] = [];
  #child: ChildProcessWithoutNullStreams;
  #buffer = "";
  #stderr = "";
  #endedAt: number | undefined;
  #exit: Promise<number | null>;
  ready = false;
  left = false;

  constructor(args: {
    urls: string[];
    clusterName: string;
    nodeId: string;
    replicas: number;
    shardCount: number;
  }) {
    this.nodeId = args.nodeId;
    this.#child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@aether/source",
        fixture,
        args.urls.join(","),
        args.clusterName,
        args.nodeId,
        String(args.replicas),
        String(args.shardCount),
      ],
      { cwd: packageDir, stdio: "pipe" },
    );
    this.#child.stdout.setEncoding("utf8");
    this.#child.stdout.on("data", (chunk: string) => this.#read(chunk));
    this.#child.stderr.on(
      "data",
      (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)),
    );
    this.#exit = new Promise((resolve) =>
      this.#child.once("exit", (code) => {
        this.#endedAt ??= Date.now();
        resolve(code);
      }),
    );
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    let newline: number;
    while ((newline = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      const record = JSON.parse(line) as { kind: string; event?: DomainEvent } & StateRecord;
      if (record.kind === "ready") this.ready = true;
      else if (record.kind === "left") this.left = true;
      else if (record.kind === "event") this.events.push(record.event!);
      else if (record.kind === "state") this.states.push(record);
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get latest(): StateRecord | undefined {
    return this.states.at(-1);
  }

  get alive(): boolean {
    return this.#endedAt === undefined;
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => {
        if (!this.alive) throw new Error(`node ${this.nodeId} exited: ${this.#stderr}`);
        return this.ready;
      },
      { timeoutMs, description: `node ${this.nodeId} ready` },
    );
  }

  /** kill -9: the interval it held ends now. */
  kill(): Promise<number | null> {
    this.#endedAt = Date.now();
    this.#child.kill("SIGKILL");
    return this.#exit;
  }

  async pause(): Promise<void> {
    this.#child.kill("SIGSTOP");
    await waitForProcessState(this.pid, (state) => state === "T");
  }

  async resume(): Promise<void> {
    this.#child.kill("SIGCONT");
    await waitForProcessState(this.pid, (state) => state !== "T");
  }

  leave(): Promise<number | null> {
    this.#child.stdin.write("leave\n");
    return this.#exit;
  }

  /** Intervals during which this node acted as leader, or served `shard`. */
  held(holds: (state: StateRecord) => boolean): HeldInterval[] {
    const intervals: HeldInterval[] = [];
    this.states.forEach((state, index) => {
      if (!holds(state)) return;
      const next = this.states[index + 1];
      const to = next?.lastPrevAt ?? this.#endedAt ?? Date.now();
      intervals.push({ nodeId: this.nodeId, from: state.at, to });
    });
    return intervals;
  }
}

async function waitForProcessState(pid: number, accept: (state: string) => boolean): Promise<void> {
  if (!existsSync(`/proc/${pid}/stat`)) return;
  await waitFor(
    () => {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return accept(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
    },
    { timeoutMs: 5_000, intervalMs: 5, description: `process ${pid} state` },
  );
}

/** Pairs of intervals held by different nodes at the same time. */
export function overlaps(intervals: readonly HeldInterval[]): string[] {
  const found: string[] = [];
  for (const [i, a] of intervals.entries()) {
    for (const b of intervals.slice(i + 1)) {
      if (a.nodeId !== b.nodeId && a.from <= b.to && b.from <= a.to) {
        found.push(`${a.nodeId} [${a.from}, ${a.to}] and ${b.nodeId} [${b.from}, ${b.to}]`);
      }
    }
  }
  return found;
}
