import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";

const token = /^[A-Za-z0-9_-]{1,64}$/;
const tokenMessage = "must be 1 to 64 characters of A-Z a-z 0-9 _ -";

export const nodeConfigSchema = z.object({
  nodeId: z.string().regex(token, tokenMessage),
  natsUrl: z
    .string()
    .regex(/^(nats|tls):\/\/\S+$/, "must be a nats:// or tls:// URL, e.g. nats://127.0.0.1:4222"),
  clusterName: z.string().regex(token, tokenMessage),
  namespace: z.string().regex(token, tokenMessage),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  shardCount: z.coerce.number().int().min(1).max(1024),
  /** Copies of the event stream and the coordination bucket: 3 on a 3-server NATS cluster. */
  replicas: z.coerce
    .number()
    .int()
    .refine((n) => [1, 3, 5].includes(n), "must be 1, 3 or 5"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  /** Written by the local launcher: the node processes the dashboard's buttons may signal. */
  peersFile: z.string().min(1).optional(),
});
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/** Each setting's flag and environment variable. */
const SETTINGS: Record<keyof NodeConfig, { flag: string; env: string }> = {
  nodeId: { flag: "node-id", env: "NODE_ID" },
  natsUrl: { flag: "nats", env: "NATS_URL" },
  clusterName: { flag: "cluster", env: "CLUSTER_NAME" },
  namespace: { flag: "namespace", env: "NAMESPACE" },
  host: { flag: "host", env: "HTTP_HOST" },
  port: { flag: "port", env: "HTTP_PORT" },
  shardCount: { flag: "shard-count", env: "SHARD_COUNT" },
  replicas: { flag: "replicas", env: "REPLICAS" },
  logLevel: { flag: "log-level", env: "LOG_LEVEL" },
  peersFile: { flag: "peers-file", env: "DEMO_PEERS_FILE" },
};

/**
 * A node's settings: a flag wins over its environment variable, which wins over the default. A
 * bad value stops the node with a message naming the flag and the variable.
 */
export function nodeConfig(argv: string[], env: NodeJS.ProcessEnv): NodeConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.values(SETTINGS).map(({ flag }) => [flag, { type: "string" as const }]),
    ),
    strict: true,
  });
  const defaults: Partial<Record<keyof NodeConfig, string>> = {
    nodeId: `${hostname()
      .replace(/[^A-Za-z0-9_-]/g, "-")
      .slice(0, 40)}-${process.pid}`,
    natsUrl: "nats://127.0.0.1:4222",
    clusterName: "demo",
    namespace: "bank",
    host: "127.0.0.1",
    port: "8080",
    shardCount: "64",
    replicas: "1",
    logLevel: "info",
  };
  const raw: Record<string, unknown> = {};
  for (const [key, { flag, env: variable }] of Object.entries(SETTINGS) as [
    keyof NodeConfig,
    { flag: string; env: string },
  ][]) {
    const fromEnv = env[variable] === "" ? undefined : env[variable];
    const value = values[flag] ?? fromEnv ?? defaults[key];
    if (value !== undefined) raw[key] = value;
  }
  const parsed = nodeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const named = parsed.error.issues.map((issue) => {
      const setting = SETTINGS[issue.path[0] as keyof NodeConfig];
      return setting === undefined
        ? issue.message
        : `--${setting.flag} / ${setting.env}: ${issue.message}`;
    });
    throw new Error(`Invalid node setting: ${named.join("; ")}`);
  }
  return parsed.data;
}
