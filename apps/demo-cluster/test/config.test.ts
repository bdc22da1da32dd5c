import { describe, expect, it } from "vitest";
import { launcherConfig } from "../src/launch/launcherConfig.js";
import { durationSchema, loadConfig } from "../src/load/loadConfig.js";
import { nodeConfig } from "../src/node/nodeConfig.js";

describe("demo-cluster settings", () => {
  it("takes a node's flags over its environment over the defaults", () => {
    const config = nodeConfig(["--node-id", "n1", "--port", "9001"], {
      NODE_ID: "from-env",
      NATS_URL: "nats://10.0.0.5:4222",
      HTTP_PORT: "7000",
    });
    expect(config).toMatchObject({
      nodeId: "n1",
      port: 9001,
      natsUrl: "nats://10.0.0.5:4222",
      clusterName: "demo",
      shardCount: 64,
      replicas: 1,
      logLevel: "info",
    });
    expect(config.peersFile).toBeUndefined();
  });

  it("refuses a bad node setting with a message naming its flag and variable", () => {
    expect(() => nodeConfig(["--port", "70000"], {})).toThrow(
      /^Invalid node setting: --port \/ HTTP_PORT: .*65535/,
    );
    expect(() => nodeConfig([], { NATS_URL: "http://x" })).toThrow(
      "--nats / NATS_URL: must be a nats:// or tls:// URL",
    );
    expect(() => nodeConfig(["--node-id", "has space"], {})).toThrow(/--node-id \/ NODE_ID/);
    expect(() => nodeConfig([], { REPLICAS: "2" })).toThrow(
      /--replicas \/ REPLICAS: must be 1, 3 or 5/,
    );
    expect(() => nodeConfig([], { LOG_LEVEL: "loud" })).toThrow(/--log-level \/ LOG_LEVEL/);
    expect(() => nodeConfig(["--colour", "red"], {})).toThrow(/colour/);
  });

  it("reads the launcher's flags and NATS_URL", () => {
    expect(launcherConfig([], {})).toEqual({ nodes: 3, port: 8080, embedded: false });
    expect(launcherConfig(["--nodes", "5", "--embedded"], { NATS_URL: "nats://h:4222" })).toEqual({
      nodes: 5,
      port: 8080,
      embedded: true,
      nats: "nats://h:4222",
    });
    expect(() => launcherConfig(["--nodes", "0"], {})).toThrow(/^Invalid setting: nodes: /);
  });

  it("reads load durations as a person writes them", () => {
    expect(durationSchema.parse("30s")).toBe(30_000);
    expect(durationSchema.parse("2m")).toBe(120_000);
    expect(durationSchema.parse("500ms")).toBe(500);
    expect(durationSchema.parse("12")).toBe(12_000);
    expect(loadConfig(["--", "--rate", "2000", "--duration", "30s"])).toMatchObject({
      rate: 2000,
      duration: 30_000,
      accounts: 100,
    });
    expect(() => loadConfig(["--duration", "soon"])).toThrow(/duration: must look like "30s"/);
  });
});
