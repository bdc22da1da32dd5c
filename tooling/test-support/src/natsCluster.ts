import { freePort } from "./freePort.js";
import { NatsServer } from "./natsServer.js";

export interface NatsClusterOptions {
  /** @default 3 */
  size?: number;
  /** @default true */
  jetstream?: boolean;
  extraConfig?: string;
}

const ROUTE_PORT_ATTEMPTS = 3;

function portWasTaken(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes("address already in use")) return true;
  }
  return false;
}

/** A real nats-server cluster on loopback: routes between every pair, JetStream on each node. */
export class NatsCluster {
  readonly servers: readonly NatsServer[];

  private constructor(servers: NatsServer[]) {
    this.servers = servers;
  }

  static async start(options: NatsClusterOptions = {}): Promise<NatsCluster> {
    // A route port is picked free but bound only when its server starts; another process can take
    // it in between (seen when suites run side by side), so the cluster starts again on new ports.
    for (let attempt = 1; ; attempt++) {
      try {
        return await NatsCluster.#startOnce(options);
      } catch (error) {
        if (attempt >= ROUTE_PORT_ATTEMPTS || !portWasTaken(error)) throw error;
      }
    }
  }

  static async #startOnce(options: NatsClusterOptions): Promise<NatsCluster> {
    const size = options.size ?? 3;
    const name = `aether-cluster-${process.pid}-${Date.now().toString(36)}`;
    const routePorts: number[] = [];
    while (routePorts.length < size) {
      const port = await freePort();
      if (!routePorts.includes(port)) routePorts.push(port);
    }
    const servers: NatsServer[] = [];
    try {
      for (const [index, port] of routePorts.entries()) {
        servers.push(
          await NatsServer.start({
            serverName: `${name}-n${index + 1}`,
            cluster: { name, port, routes: routePorts.filter((other) => other !== port) },
            ...(options.jetstream === undefined ? {} : { jetstream: options.jetstream }),
            ...(options.extraConfig === undefined ? {} : { extraConfig: options.extraConfig }),
            waitUntilReady: false,
          }),
        );
      }
      await Promise.all(servers.map((server) => server.waitUntilReady(60_000)));
    } catch (error) {
      await Promise.all(servers.map((server) => server.dispose()));
      throw error;
    }
    return new NatsCluster(servers);
  }

  /** Client URLs of every node, for a client that should fail over between them. */
  get urls(): string[] {
    return this.servers.map((server) => server.url);
  }

  server(index: number): NatsServer {
    const server = this.servers[index];
    if (server === undefined) throw new RangeError(`NatsCluster has no server ${index}`);
    return server;
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await Promise.all(
      this.servers
        .filter((server) => server.running)
        .map((server) => server.waitUntilReady(timeoutMs)),
    );
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.dispose()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
