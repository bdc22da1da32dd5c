import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";

type Connect = (options: ConnectionOptions) => Promise<NatsConnection>;

let registered: Connect | undefined;

/**
 * Sets the transport `connectTo` uses (nats.js `connect` of `@nats-io/transport-node`, say).
 * test-support names no transport itself; the shared vitest config registers Node's.
 */
export function registerConnect(connect: Connect): void {
  registered = connect;
}

/**
 * A test connection: no async stack traces (they cost an Error per request) and reconnecting
 * quickly and forever, so fault tests see the component's errors rather than a closed connection.
 */
export function connectTo(
  servers: string | string[],
  options: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  if (registered === undefined) {
    throw new Error(
      "connectTo: no NATS transport registered; call registerConnect(connect) first (the shared vitest config does)",
    );
  }
  return registered({
    servers,
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    ...options,
  });
}
