import { parseArgs } from "node:util";
import { describeIssues } from "@aether/kernel";
import { z } from "zod";

export const launcherConfigSchema = z.object({
  nodes: z.coerce.number().int().min(1).max(9).default(3),
  /** A NATS server to use instead of starting one. */
  nats: z
    .string()
    .regex(/^(nats|tls):\/\/\S+$/, "must be a nats:// or tls:// URL, e.g. nats://127.0.0.1:4222")
    .optional(),
  /** The first node's HTTP port; the others take the next ones. */
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Run in one process even when nats-server is installed. */
  embedded: z.boolean().default(false),
});
export type LauncherConfig = z.infer<typeof launcherConfigSchema>;

/** Flags first, then NATS_URL; a bad value stops the launcher with a message naming it. */
export function launcherConfig(argv: string[], env: NodeJS.ProcessEnv): LauncherConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: "string" },
      nats: { type: "string" },
      port: { type: "string" },
      embedded: { type: "boolean" },
    },
    strict: true,
  });
  const natsUrl = values.nats ?? (env["NATS_URL"] === "" ? undefined : env["NATS_URL"]);
  const parsed = launcherConfigSchema.safeParse({ ...values, nats: natsUrl });
  if (!parsed.success) throw new Error(`Invalid setting: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
