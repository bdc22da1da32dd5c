import { createLogger } from "@aether/kernel";
import { startEmbeddedDemo } from "./launch/embeddedDemo.js";
import { launcherConfig } from "./launch/launcherConfig.js";

// `npm run demo`: a local 3-node cluster and the URL of its dashboard.
let config;
try {
  config = launcherConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const logger = createLogger({
  level: process.env["LOG_LEVEL"] ?? "warn",
  bindings: { app: "demo" },
});
const demo = await startEmbeddedDemo({ nodes: config.nodes, port: config.port, logger });
console.log(
  `Aether demo: ${config.nodes} nodes in this process (embedded: in-memory store, bus and coordination)\n`,
);
for (const { nodeId, url } of demo.nodes) console.log(`  ${nodeId}  ${url}`);
console.log(`\nDashboard: ${demo.nodes[0]?.url}/`);
console.log(
  `Try: send a deposit, start a load run, then kill -9 a node and watch its shards move.`,
);
console.log(
  `Load from a terminal: pnpm --filter @aether/demo-cluster load -- --url ${demo.nodes[0]?.url} --rate 2000 --duration 30s`,
);
console.log(`Ctrl-C stops the demo.`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(130);
  stopping = true;
  void demo.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
