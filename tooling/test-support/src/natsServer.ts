import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServerBinary } from "./natsServerBinary.js";
import { waitFor } from "./waitFor.js";

export interface NatsServerOptions {
  /** @default true */
  jetstream?: boolean;
  /** @default a unique name */
  serverName?: string;
  /** Client port; by default the server picks a free one, and keeps it across restarts. */
  port?: number;
  /** Joins a cluster: this server's route port and the route ports of its peers. */
  cluster?: { name: string; port: number; routes: number[] };
  /** Raw lines appended to the generated config, e.g. `max_payload: 65536`. */
  extraConfig?: string;
  /** Wait for `/healthz` (JetStream current) before returning. @default true */
  waitUntilReady?: boolean;
}

interface PortsFile {
  nats?: string[];
  monitoring?: string[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

let serial = 0;

/**
 * A real nats-server process in its own temp dir (config, log, JetStream store, ports file) on
 * loopback. Faults on demand: `kill()` (SIGKILL), `stop()` (SIGTERM), `pause()`/`resume()`
 * (SIGSTOP/SIGCONT) and `restart()` on the same port and store.
 */
export class NatsServer {
  readonly dir: string;
  readonly serverName: string;
  readonly #binary: string;
  readonly #options: NatsServerOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #port: number | undefined;
  #monitorUrl = "";

  private constructor(options: NatsServerOptions) {
    this.#binary = findNatsServerBinary();
    this.#options = options;
    this.#port = options.port;
    this.serverName = options.serverName ?? `aether-test-${process.pid}-${++serial}`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.serverName}-`));
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(options);
    try {
      await server.#launch();
      if (options.waitUntilReady ?? true) await server.waitUntilReady();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  get port(): number {
    if (this.#port === undefined) throw new Error("NatsServer: not started yet");
    return this.#port;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get logFile(): string {
    return join(this.dir, "server.log");
  }

  /** The last lines of the server's log, for assertion messages. */
  logTail(lines = 20): string {
    if (!existsSync(this.logFile)) return "";
    return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  }

  async #launch(): Promise<void> {
    const config = this.#config();
    const configFile = join(this.dir, "server.conf");
    writeFileSync(configFile, config);
    const child = spawn(this.#binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    killAllOnExit();
    live.add(child);
    this.#child = child;
    let exitedEarly = false;
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => {
        exitedEarly = true;
        live.delete(child);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const portsFile = join(this.dir, `nats-server_${child.pid}.ports`);
    const ports = await waitFor(
      () => {
        // An exited server will not come back: stop polling at once.
        if (exitedEarly) return "exited" as const;
        if (!existsSync(portsFile)) return undefined;
        try {
          return JSON.parse(readFileSync(portsFile, "utf8")) as PortsFile;
        } catch {
          return undefined; // written but not complete yet
        }
      },
      { timeoutMs: 15_000, intervalMs: 10, description: `nats-server ports file in ${this.dir}` },
    ).catch((error: unknown) => {
      child.kill("SIGKILL");
      throw error;
    });
    if (ports === "exited") {
      throw new Error(`nats-server exited during start-up: ${stderr}\n${this.logTail()}`);
    }
    const clientUrl = ports.nats?.[0];
    const monitorUrl = ports.monitoring?.[0];
    if (clientUrl === undefined || monitorUrl === undefined) {
      throw new Error(
        `nats-server ports file has no client or monitoring url: ${JSON.stringify(ports)}`,
      );
    }
    this.#port = Number(new URL(clientUrl).port);
    this.#monitorUrl = monitorUrl;
  }

  #config(): string {
    const lines = [
      `server_name: ${JSON.stringify(this.serverName)}`,
      `listen: "127.0.0.1:${this.#port ?? -1}"`,
      `http: "127.0.0.1:-1"`,
      `ports_file_dir: ${JSON.stringify(this.dir)}`,
      `log_file: ${JSON.stringify(this.logFile)}`,
    ];
    if (this.#options.jetstream ?? true) {
      lines.push(`jetstream { store_dir: ${JSON.stringify(join(this.dir, "jetstream"))} }`);
    }
    const cluster = this.#options.cluster;
    if (cluster !== undefined) {
      const routes = cluster.routes.map((port) => `"nats-route://127.0.0.1:${port}"`).join(", ");
      lines.push(
        `cluster { name: ${JSON.stringify(cluster.name)}, listen: "127.0.0.1:${cluster.port}", routes: [${routes}] }`,
      );
    }
    if (this.#options.extraConfig !== undefined) lines.push(this.#options.extraConfig);
    return `${lines.join("\n")}\n`;
  }

  /** Resolves once `/healthz` answers 200: the server is up and its JetStream is current. */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        if (this.#child === undefined)
          throw new Error(`nats-server is not running\n${this.logTail()}`);
        const response = await fetch(`${this.#monitorUrl}/healthz`);
        return response.ok;
      },
      { timeoutMs, intervalMs: 50, description: `nats-server ${this.serverName} healthy` },
    );
  }

  async #signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    if (signal !== "SIGKILL") child.kill("SIGCONT");
    child.kill(signal);
    await this.#exited;
  }

  /** SIGKILL: no shutdown, no flush: what a crash or a pulled plug looks like. */
  async kill(): Promise<void> {
    await this.#signalAndWait("SIGKILL");
  }

  /** SIGTERM: a clean shutdown. */
  async stop(): Promise<void> {
    await this.#signalAndWait("SIGTERM");
  }

  /**
   * SIGSTOP: the process freezes; connections stay open but nothing is answered. Signals arrive
   * asynchronously, so this resolves once the kernel reports the process stopped.
   */
  async pause(): Promise<void> {
    this.#child?.kill("SIGSTOP");
    await this.#waitForProcessState((state) => state === "T", "stopped");
  }

  /** SIGCONT: the frozen process goes on; resolves once it runs again. */
  async resume(): Promise<void> {
    this.#child?.kill("SIGCONT");
    await this.#waitForProcessState((state) => state !== "T", "running");
  }

  // Linux only (/proc); elsewhere the wait is skipped and callers must poll for the effect.
  async #waitForProcessState(
    accept: (state: string) => boolean,
    description: string,
  ): Promise<void> {
    const pid = this.pid;
    if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return;
    await waitFor(
      () => {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return accept(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
      },
      {
        timeoutMs: 5_000,
        intervalMs: 5,
        description: `nats-server ${this.serverName} ${description}`,
      },
    );
  }

  /** Starts the server again on the same port with the same store (stopping it first if needed). */
  async restart(options: { waitUntilReady?: boolean } = {}): Promise<void> {
    await this.stop();
    await this.#launch();
    if (options.waitUntilReady ?? true) await this.waitUntilReady();
  }

  /** Stops the server and removes its temp dir. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
