import { createLogger } from "@aether/kernel";
import { nodeConfig, type NodeConfig } from "./node/nodeConfig.js";
import { startNatsNode } from "./node/natsNode.js";
import { onStopSignal } from "./launch/stopSignal.js";

// The node an operator runs: `pnpm --filter @aether/demo-cluster node -- --node-id n1 --nats nats://…`
let config: NodeConfig;
try {
  config = nodeConfig(
    process.argv.slice(2).filter((arg) => arg !== "--"),
    process.env,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const logger = createLogger({ level: config.logLevel, bindings: { nodeId: config.nodeId } });
const started = await startNatsNode(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, "node could not start");
  process.exit(1);
});
logger.info({ url: started.http.url, nats: config.natsUrl }, "node started");

onStopSignal(
  (signal) => {
    logger.info({ signal }, "leaving the cluster");
    started.stop().then(
      () => {
        logger.info("left the cluster");
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "graceful stop failed");
        logger.flush();
        process.exit(1);
      },
    );
  },
  (signal) => {
    logger.warn({ signal }, "second signal, exiting at once");
    logger.flush();
    process.exit(130);
  },
);
