import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, inject } from "vitest";
import { connectTo } from "./natsConnect.js";
import { uniqueName } from "./uniqueName.js";

export interface NatsTestContextOptions {
  /** @default the run's server (`inject("natsUrl")`) */
  servers?: string | string[];
  /** Options of `nc`, the context's first connection. */
  connection?: Partial<ConnectionOptions>;
}

/** What a NATS test holds; `await using` releases it all, whatever the test did. */
export interface NatsTestContext extends AsyncDisposable {
  /** The servers this context connects to. */
  readonly servers: string | string[];
  /** A connection opened for this test. */
  readonly nc: NatsConnection;
  /** Another connection to the same servers, closed with the context. */
  connect(options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /** Runs `cleanup` when the context ends, before the connections close (latest first). */
  defer(cleanup: () => unknown): void;
  /** A name no other test uses, for streams, buckets and namespaces. */
  uniqueName(prefix?: string): string;
}

/**
 * Connects to the run's nats-server for one test:
 * `await using t = await natsTestContext();` then use `t.nc`. At the end of the scope, deferred
 * clean-ups run (buses closed, say), then every connection of the context is drained, or closed
 * when a drain cannot finish (a killed server).
 */
export async function natsTestContext(
  options: NatsTestContextOptions = {},
): Promise<NatsTestContext> {
  const servers = options.servers ?? inject("natsUrl");
  const connections: NatsConnection[] = [];
  const cleanups: (() => unknown)[] = [];
  const connect = async (connection: Partial<ConnectionOptions> = {}) => {
    const nc = await connectTo(servers, connection);
    connections.push(nc);
    return nc;
  };
  const nc = await connect(options.connection);
  return {
    servers,
    nc,
    connect,
    defer: (cleanup) => void cleanups.push(cleanup),
    uniqueName,
    async [Symbol.asyncDispose]() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await Promise.all(connections.splice(0).map(release));
    },
  };
}

/**
 * One context shared by every test of a file, for suites that cannot hold it in a test's scope
 * (contract suites, say): opened before the file's first test, released after its last. Options
 * may be a function, read when the context opens (after earlier `beforeAll` hooks started a server).
 */
export function natsTestContextForFile(
  options: NatsTestContextOptions | (() => NatsTestContextOptions) = {},
): NatsTestContext {
  let current: NatsTestContext | undefined;
  const opened = (): NatsTestContext => {
    if (current === undefined) throw new Error("natsTestContextForFile: used outside a test");
    return current;
  };
  beforeAll(async () => {
    current = await natsTestContext(typeof options === "function" ? options() : options);
  });
  afterAll(async () => {
    await current?.[Symbol.asyncDispose]();
    current = undefined;
  });
  return {
    get servers() {
      return opened().servers;
    },
    get nc() {
      return opened().nc;
    },
    connect: (connection) => opened().connect(connection),
    defer: (cleanup) => opened().defer(cleanup),
    uniqueName,
    [Symbol.asyncDispose]: () => opened()[Symbol.asyncDispose](),
  };
}

// Draining needs the server: when a test killed it, drain would wait for its return, so after
// this long the connection is closed instead.
const DRAIN_LIMIT_MS = 5_000;

async function release(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drained = await Promise.race([
    nc.drain().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), DRAIN_LIMIT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!drained && !nc.isClosed()) await nc.close();
}
