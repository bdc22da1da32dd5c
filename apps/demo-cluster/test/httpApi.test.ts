import { createLogger } from "@aether/kernel";
import { startEmbeddedDemo } from "../src/launch/embeddedDemo.js";
import { describeHttpApi } from "./httpApiSuite.js";

describeHttpApi("embedded", async () => {
  const demo = await startEmbeddedDemo({
    nodes: 3,
    port: 0,
    logger: createLogger({ level: "silent" }),
    timing: { heartbeatMs: 200, failureTimeoutMs: 1_500, leaseTtlMs: 1_000, marginMs: 200 },
  });
  return {
    nodes: demo.nodes.map(({ nodeId, url }) => ({ nodeId, url })),
    close: () => demo.close(),
  };
});
