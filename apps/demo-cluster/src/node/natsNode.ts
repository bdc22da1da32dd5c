import { natsCoordination, natsTransport } from "@aether/cluster/nats";
import { NatsEventBus } from "@aether/event-bus/nats";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import type { Logger } from "@aether/kernel";
import { connect } from "@nats-io/transport-node";
import { DemoNode } from "../demoNode.js";
import { httpApi } from "../http/httpApi.js";
import { listen, type Listening } from "../http/listen.js";
import { ClusterRuntime } from "../runtime/clusterRuntime.js";
import { NodeDirectory } from "../runtime/nodeDirectory.js";
import { ObservedEventStore } from "../runtime/observedEventStore.js";
import type { NodeConfig } from "./nodeConfig.js";
import { processControl } from "./processControl.js";

export interface NatsNode {
  node: DemoNode;
  http: Listening;
  /** Graceful: leave the cluster (shards handed over, NodeLeft), then flush and disconnect. */
  stop(): Promise<void>;
}

/**
 * One production-shaped node: JetStream event store, NATS event bus, cluster coordination in NATS
 * KV, commands over NATS request/reply, and its HTTP API.
 */
export async function startNatsNode(config: NodeConfig, logger: Logger): Promise<NatsNode> {
  const nc = await connect({
    servers: config.natsUrl,
    name: config.nodeId,
    maxReconnectAttempts: -1,
  });
  const bus = new NatsEventBus(nc, { nodeId: config.nodeId, bufferSize: 65_536, logger });
  const store = new JetStreamEventStore(nc, {
    namespace: config.namespace,
    publisher: bus,
    logger,
    replicas: config.replicas,
  });
  const coordination = await natsCoordination(nc, {
    clusterName: config.clusterName,
    replicas: config.replicas,
  });
  const transport = natsTransport(nc, { subjectPrefix: `${config.clusterName}.actors` });
  // Known once the HTTP server listens; the runtime reads it lazily.
  const known: { directory?: NodeDirectory } = {};
  const node = await DemoNode.start({
    nodeId: config.nodeId,
    namespace: config.namespace,
    bus,
    eventStore: store,
    logger,
    shareFacts: true,
    ...(config.peersFile === undefined ? {} : { control: processControl(config.peersFile) }),
    startRuntime: (observer) =>
      ClusterRuntime.start({
        nodeId: config.nodeId,
        coordination,
        transport,
        eventStore: new ObservedEventStore(store, observer),
        publisher: bus,
        logger,
        shardCount: config.shardCount,
        httpUrls: () => known.directory?.urls ?? new Map(),
      }),
  });
  const http = await listen(httpApi(node), {
    port: config.port,
    host: config.host,
    onFallback: (busy, used) => logger.warn({ busy, used }, "port taken, using a free one"),
  });
  const directory = new NodeDirectory(bus, {
    namespace: config.namespace,
    nodeId: config.nodeId,
    url: http.url,
  });
  known.directory = directory;
  return {
    node,
    http,
    async stop() {
      await node.close({ graceful: true });
      directory.close();
      await http.close();
      await bus.close();
      await nc.drain();
    },
  };
}
