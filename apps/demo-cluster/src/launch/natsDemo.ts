import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PeersFile } from "../node/processControl.js";
import { startNatsServer, type NatsServerProcess } from "./natsServerProcess.js";

export interface NatsDemoOptions {
  nodes: number;
  /** The first node's HTTP port; the others take the next ones (or free ones when taken). 0: any. */
  port: number;
  /** Use this NATS instead of starting one. */
  natsUrl?: string;
  /** nats-server to start when no `natsUrl` is given. */
  natsServerBinary?: string;
  clusterName?: string;
  namespace?: string;
  /** @default "info" */
  logLevel?: string;
  /** Hears each node stop when the demo closes, with how long its graceful leave took. */
  onNodeStopped?: (nodeId: string, ms: number, exitCode: number | null) => void;
}

export interface NatsDemoNode {
  nodeId: string;
  url: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

export interface NatsDemo {
  natsUrl: string;
  dir: string;
  nodes: NatsDemoNode[];
  close(): Promise<void>;
}

const DIR_PREFIX = "aether-demo-";
const NODE_ENTRY = fileURLToPath(new URL("../node.ts", import.meta.url));
const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readPids(dir: string): number[] {
  const pids: number[] = [];
  try {
    pids.push(
      ...Object.values(JSON.parse(readFileSync(join(dir, "peers.json"), "utf8")) as PeersFile),
    );
  } catch {
    // No nodes were started.
  }
  for (const name of readdirSync(dir)) {
    const server = /^nats-server_(\d+)\.ports$/.exec(name);
    if (server !== null) pids.push(Number(server[1]));
  }
  return pids;
}

/**
 * Temp dirs of earlier demos whose launcher is gone (kill -9, a crash): the node processes and
 * the nats-server it left behind are stopped and the dir removed, so a new demo starts clean.
 */
export function removeStaleDirs(): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let pid: number | undefined;
    try {
      pid = Number(readFileSync(join(dir, "launcher.pid"), "utf8"));
    } catch {
      pid = undefined;
    }
    if (pid !== undefined && Number.isInteger(pid) && alive(pid)) continue;
    for (const orphan of readPids(dir)) {
      try {
        process.kill(orphan, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

async function nodeUrl(logFile: string, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const started = readFileSync(logFile, "utf8")
      .split("\n")
      .map((line) => {
        try {
          return JSON.parse(line) as { msg?: string; url?: string };
        } catch {
          return {};
        }
      })
      .find((entry) => entry.msg === "node started");
    if (started?.url !== undefined) return started.url;
    if (child.exitCode !== null)
      throw new Error(`A node exited at start (code ${child.exitCode}); see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`A node did not start within 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The NATS mode: its own nats-server in a temp dir (unless given one) and N node processes on
 * it, each writing its log to the temp dir. The dashboard's buttons signal these processes.
 */
export async function startNatsDemo(options: NatsDemoOptions): Promise<NatsDemo> {
  removeStaleDirs();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, "launcher.pid"), String(process.pid));
  let server: NatsServerProcess | undefined;
  const children: ChildProcess[] = [];
  // One node after the other, so each hands its shards to nodes that stay: leaving all at once
  // would leave nobody to take them, and every node would wait out its handover timeout.
  const close = async () => {
    for (const [index, child] of [...children.entries()].reverse()) {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const started = Date.now();
        const force = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", (code) => {
          clearTimeout(force);
          options.onNodeStopped?.(`node-${index + 1}`, Date.now() - started, code);
          resolve();
        });
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      });
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let natsUrl = options.natsUrl;
    if (natsUrl === undefined) {
      if (options.natsServerBinary === undefined)
        throw new Error("No NATS URL and no nats-server to start");
      server = await startNatsServer(options.natsServerBinary, dir);
      natsUrl = server.url;
    }
    const peersFile = join(dir, "peers.json");
    const peers: PeersFile = {};
    const nodes: NatsDemoNode[] = [];
    for (let index = 0; index < options.nodes; index++) {
      const nodeId = `node-${index + 1}`;
      const logFile = join(dir, `${nodeId}.log`);
      const output = openSync(logFile, "a");
      const child = spawn(
        process.execPath,
        [
          // Nodes run from TypeScript source like the launcher; tsx resolves from the app's folder.
          "--import",
          "tsx",
          "--conditions=@aether/source",
          NODE_ENTRY,
          "--node-id",
          nodeId,
          "--nats",
          natsUrl,
          "--port",
          String(options.port === 0 ? 0 : options.port + index),
          "--peers-file",
          peersFile,
          "--cluster",
          options.clusterName ?? "demo",
          "--namespace",
          options.namespace ?? "bank",
          "--log-level",
          options.logLevel ?? "info",
        ],
        // Own process group: Ctrl-C reaches the launcher only, which then stops the nodes in turn.
        { cwd: APP_DIR, stdio: ["ignore", output, output], detached: true },
      );
      children.push(child);
      peers[nodeId] = child.pid!;
      const exited = new Promise<number | null>((resolve) =>
        child.once("exit", (code) => resolve(code)),
      );
      nodes.push({ nodeId, url: "", pid: child.pid!, logFile, exited });
    }
    writeFileSync(peersFile, JSON.stringify(peers));
    await Promise.all(
      nodes.map(async (node, index) => {
        node.url = await nodeUrl(node.logFile, children[index]!);
      }),
    );
    return { natsUrl, dir, nodes, close };
  } catch (error) {
    await close();
    throw error;
  }
}
