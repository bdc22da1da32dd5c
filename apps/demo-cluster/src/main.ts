import { createLogger } from "@aether/kernel";
import { startEmbeddedDemo } from "./launch/embeddedDemo.js";
import { launcherConfig, type LauncherConfig } from "./launch/launcherConfig.js";
import { startNatsDemo } from "./launch/natsDemo.js";
import { findNatsServer } from "./launch/natsServerProcess.js";
import { onStopSignal } from "./launch/stopSignal.js";

// `npm run demo`: a local 3-node cluster and the URL of its dashboard. NATS mode when a NATS URL
// is given or nats-server is installed; otherwise everything in this one process.
let config: LauncherConfig;
try {
  config = launcherConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const natsServer = config.embedded || config.nats !== undefined ? undefined : findNatsServer();
const natsMode = !config.embedded && (config.nats !== undefined || natsServer !== undefined);
let close: () => Promise<void>;
let urls: { nodeId: string; url: string }[];

if (natsMode) {
  const demo = await startNatsDemo({
    nodes: config.nodes,
    port: config.port,
    ...(config.nats === undefined ? {} : { natsUrl: config.nats }),
    ...(natsServer === undefined ? {} : { natsServerBinary: natsServer }),
    onNodeStopped: (nodeId, ms, code) =>
      console.log(`  ${nodeId} left in ${(ms / 1000).toFixed(1)} s (exit code ${code})`),
  });
  close = () => demo.close();
  urls = demo.nodes;
  console.log(
    `Aether demo: ${config.nodes} node processes on NATS ${demo.natsUrl}` +
      (config.nats === undefined ? ` (its own nats-server, JetStream in ${demo.dir})` : ""),
  );
  console.log(`Node logs: ${demo.dir}/node-*.log\n`);
  for (const node of demo.nodes) console.log(`  ${node.nodeId}  ${node.url}  pid ${node.pid}`);
} else {
  const logger = createLogger({
    level: process.env["LOG_LEVEL"] ?? "warn",
    bindings: { app: "demo" },
  });
  const demo = await startEmbeddedDemo({ nodes: config.nodes, port: config.port, logger });
  close = () => demo.close();
  urls = demo.nodes;
  console.log(
    `Aether demo: ${config.nodes} nodes in this process (embedded: in-memory coordination, store, bus and transport)` +
      (config.embedded ? "" : "; install nats-server for the NATS mode\n"),
  );
  for (const { nodeId, url } of demo.nodes) console.log(`  ${nodeId}  ${url}`);
}

console.log(`\nDashboard: ${urls[0]?.url}/`);
console.log(
  "Try: send a deposit, start a load run, then kill -9 a node and watch its shards move.",
);
console.log(
  `Load from a terminal: pnpm --filter @aether/demo-cluster load -- --url ${urls[0]?.url} --rate 2000 --duration 30s`,
);
console.log("Ctrl-C stops the demo (the nodes leave gracefully).");

onStopSignal(
  () => void close().then(() => process.exit(0)),
  () => process.exit(130),
);
