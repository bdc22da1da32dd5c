import type {} from "@aether/test-support";
import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";

/** A test connection that reconnects quickly and forever, so fault tests see the cluster's behaviour. */
export function connectTo(
  servers: string | string[],
  options: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  return connect({
    servers,
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
    ...options,
  });
}
