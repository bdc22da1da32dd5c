import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** nats-server from NATS_SERVER_BIN, PATH or Debian's /usr/sbin; undefined when there is none. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    ...(env["NATS_SERVER_BIN"] ? [env["NATS_SERVER_BIN"]] : []),
    ...(env["PATH"] ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, "nats-server")),
    "/usr/sbin/nats-server",
    "/usr/local/bin/nats-server",
  ];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface NatsServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A nats-server with JetStream (file storage) in `dir`, on a port the server picks itself
 * (`-1`), so a busy 4222 or another demo's server is never in the way.
 */
export async function startNatsServer(binary: string, dir: string): Promise<NatsServerProcess> {
  const config = join(dir, "nats-server.conf");
  writeFileSync(
    config,
    [
      `server_name: "aether-demo-${process.pid}"`,
      `listen: "127.0.0.1:-1"`,
      `ports_file_dir: ${JSON.stringify(dir)}`,
      `log_file: ${JSON.stringify(join(dir, "nats-server.log"))}`,
      `jetstream { store_dir: ${JSON.stringify(join(dir, "jetstream"))} }`,
    ].join("\n") + "\n",
  );
  // Own process group: Ctrl-C reaches the launcher, which stops the server after the nodes left.
  const child = spawn(binary, ["-c", config], { stdio: "ignore", detached: true });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const portsFile = join(dir, `nats-server_${child.pid}.ports`);
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (url === undefined) {
    if (child.exitCode !== null)
      throw new Error(`nats-server exited at start; see ${join(dir, "nats-server.log")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nats-server did not start within 15 s; see ${join(dir, "nats-server.log")}`);
    }
    if (existsSync(portsFile)) {
      try {
        url = (JSON.parse(readFileSync(portsFile, "utf8")) as { nats?: string[] }).nats?.[0];
      } catch {
        // Written but not complete yet.
      }
    }
    if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
