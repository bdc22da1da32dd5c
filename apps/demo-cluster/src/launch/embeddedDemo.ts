import type { ClusterTiming } from "@aether/cluster";
import type { Logger } from "@aether/kernel";
import { DemoNode, type NodeControl } from "../demoNode.js";
import { httpApi } from "../http/httpApi.js";
import { listen, type Listening } from "../http/listen.js";
import type { ClusterRuntime } from "../runtime/clusterRuntime.js";
import { EmbeddedCluster } from "../runtime/embeddedCluster.js";

export interface EmbeddedDemoOptions {
  nodes: number;
  /** The first node's HTTP port; the others take the next ones (or free ones when taken). 0: any. */
  port: number;
  host?: string;
  logger: Logger;
  shardCount?: number;
  timing?: Partial<ClusterTiming>;
  /** See DemoNodeOptions.recoverAfterMs. */
  recoverAfterMs?: number;
}

export interface EmbeddedDemoNode {
  nodeId: string;
  url: string;
  node: DemoNode;
  runtime: ClusterRuntime;
}

export interface EmbeddedDemo {
  nodes: EmbeddedDemoNode[];
  cluster: EmbeddedCluster;
  close(): Promise<void>;
}

export const BANK_NAMESPACE = "bank";

/**
 * The embedded default: N logical nodes in this process, each a real ClusterNode + ActorHost with
 * its own HTTP API and dashboard, on one InMemoryCoordination, InProcessTransport, in-memory event
 * store and bus.
 */
export async function startEmbeddedDemo(options: EmbeddedDemoOptions): Promise<EmbeddedDemo> {
  const cluster = new EmbeddedCluster({
    namespace: BANK_NAMESPACE,
    ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
    ...(options.timing === undefined ? {} : { timing: options.timing }),
  });
  const started = new Map<string, EmbeddedDemoNode & { http: Listening; gone: boolean }>();
  const control: NodeControl = {
    actions: ["kill", "leave"],
    async run(nodeId, action) {
      const entry = started.get(nodeId);
      if (entry === undefined || entry.gone) throw new Error(`No running node ${nodeId}`);
      entry.gone = true;
      // kill: no handover, as a crash looks to the others; leave: the graceful path.
      await entry.node.close({ graceful: action === "leave" });
      await entry.http.close();
    },
  };
  for (let index = 0; index < options.nodes; index++) {
    const nodeId = `node-${index + 1}`;
    const logger = options.logger.child({ nodeId });
    let runtime: ClusterRuntime | undefined;
    const node = await DemoNode.start({
      nodeId,
      namespace: BANK_NAMESPACE,
      bus: cluster.bus,
      eventStore: cluster.eventStore,
      control,
      logger,
      ...(options.recoverAfterMs === undefined ? {} : { recoverAfterMs: options.recoverAfterMs }),
      startRuntime: async (observer) =>
        (runtime = await cluster.startNode(nodeId, { observer, logger })),
    });
    const http = await listen(httpApi(node), {
      port: options.port === 0 ? 0 : options.port + index,
      ...(options.host === undefined ? {} : { host: options.host }),
      onFallback: (busy, used) => logger.warn({ busy, used }, "port taken, using a free one"),
    });
    cluster.httpUrls.set(nodeId, http.url);
    started.set(nodeId, { nodeId, url: http.url, node, runtime: runtime!, http, gone: false });
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
      await Promise.all(
        [...started.values()].map(async (entry) => {
          if (!entry.gone) await entry.node.close({ graceful: false });
          await entry.http.close();
        }),
      );
      await cluster.close();
    },
  };
}
