import { uniqueName } from "@aether/test-support";
import { inject } from "vitest";
import { startNatsDemo, type NatsDemo } from "../src/launch/natsDemo.js";
import { describeHttpApi } from "./httpApiSuite.js";

// Three node processes on the harness's nats-server: the same contract as the embedded mode, with
// kill -9 and SIGTERM as real signals to real processes.
describeHttpApi("NATS", async () => {
  const demo: NatsDemo = await startNatsDemo({
    nodes: 3,
    port: 0,
    natsUrl: inject("natsUrl"),
    clusterName: uniqueName("demo"),
    namespace: uniqueName("bank"),
    logLevel: "info",
  });
  return {
    nodes: demo.nodes.map(({ nodeId, url }) => ({ nodeId, url })),
    exitCode: (nodeId) => demo.nodes.find((node) => node.nodeId === nodeId)!.exited,
    close: () => demo.close(),
  };
});
