import type { Logger } from "@aether/kernel";
import { DemoNode, type NodeControl } from "../demoNode.js";
import { httpApi } from "../http/httpApi.js";
import { listen, type Listening } from "../http/listen.js";
import { EmbeddedCluster, type EmbeddedNode } from "../runtime/embeddedCluster.js";

export interface EmbeddedDemoOptions {
  nodes: number;
  /** The first node's HTTP port; the others take the next ones (or free ones when taken). 0: any. */
  port: number;
  host?: string;
  logger: Logger;
  shardCount?: number;
  failureTimeoutMs?: number;
}

export interface EmbeddedDemo {
  nodes: { nodeId: string; url: string; node: DemoNode; runtime: EmbeddedNode }[];
  cluster: EmbeddedCluster;
  close(): Promise<void>;
}

export const BANK_NAMESPACE = "bank";

interface Started {
  nodeId: string;
  url: string;
  node: DemoNode;
  runtime: EmbeddedNode;
  http: Listening;
  resumed: Promise<void> | undefined;
  resume: (() => void) | undefined;
}

/**
 * The embedded default: N logical nodes in this process, each with its own HTTP API and
 * dashboard, on one in-memory event store, bus and coordination.
 */
export async function startEmbeddedDemo(options: EmbeddedDemoOptions): Promise<EmbeddedDemo> {
  const cluster = new EmbeddedCluster({
    namespace: BANK_NAMESPACE,
    ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
    ...(options.failureTimeoutMs === undefined
      ? {}
      : { failureTimeoutMs: options.failureTimeoutMs }),
  });
  const started = new Map<string, Started>();
  const find = (nodeId: string): Started => {
    const entry = started.get(nodeId);
    if (entry === undefined) throw new Error(`Unknown node ${nodeId}`);
    return entry;
  };
  const control: NodeControl = {
    async kill(nodeId) {
      const entry = find(nodeId);
      entry.runtime.crash();
      entry.resume?.();
      await entry.http.close();
    },
    async pause(nodeId) {
      const entry = find(nodeId);
      entry.runtime.pause();
      entry.resumed ??= new Promise((resolve) => (entry.resume = resolve));
    },
    async resume(nodeId) {
      const entry = find(nodeId);
      entry.runtime.resume();
      entry.resume?.();
      entry.resumed = undefined;
      entry.resume = undefined;
    },
  };
  for (let index = 0; index < options.nodes; index++) {
    const nodeId = `node-${index + 1}`;
    const logger = options.logger.child({ nodeId });
    let runtime: EmbeddedNode | undefined;
    const node = await DemoNode.start({
      nodeId,
      namespace: BANK_NAMESPACE,
      bus: cluster.bus,
      eventStore: cluster.eventStore,
      control,
      logger,
      startRuntime: (observer) => (runtime = cluster.addNode(nodeId, { observer })),
    });
    const entry = {
      nodeId,
      node,
      runtime: runtime!,
      resumed: undefined,
      resume: undefined,
    } as Omit<Started, "http" | "url"> as Started;
    const app = httpApi(node, { gate: () => entry.resumed });
    entry.http = await listen(app, {
      port: options.port === 0 ? 0 : options.port + index,
      ...(options.host === undefined ? {} : { host: options.host }),
      onFallback: (busy, used) => logger.warn({ busy, used }, "port taken, using a free one"),
    });
    entry.url = entry.http.url;
    entry.runtime.advertise(entry.url);
    started.set(nodeId, entry);
  }
  return {
    cluster,
    nodes: [...started.values()].map(({ nodeId, url, node, runtime }) => ({
      nodeId,
      url,
      node,
      runtime,
    })),
    async close() {
      for (const entry of started.values()) {
        entry.resume?.();
        await entry.node.close({ graceful: false });
        await entry.http.close();
      }
      await cluster.close();
    },
  };
}
