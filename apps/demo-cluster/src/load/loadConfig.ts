import { parseArgs } from "node:util";
import { describeIssues } from "@aether/kernel";
import { z } from "zod";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** "30s", "2m", "500ms" or a plain number of seconds. */
export const durationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m)?$/, 'must look like "30s", "2m", "500ms" or a number of seconds')
  .transform((text) => {
    const [, value, unit] = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)!;
    return Number(value) * UNITS[unit ?? "s"]!;
  })
  .pipe(z.number().positive().max(3_600_000, "must be at most 1 hour"));

export const loadConfigSchema = z.object({
  /** Any node of the cluster; the others are found through its /api/cluster. */
  url: z.url().default("http://127.0.0.1:8080"),
  rate: z.coerce.number().int().min(1).max(100_000).default(2000),
  duration: durationSchema.default(30_000),
  accounts: z.coerce.number().int().min(2).max(100_000).default(100),
  /** Transfers waiting for an answer at most; past it the run falls behind its rate. */
  maxInFlight: z.coerce.number().int().min(1).max(100_000).default(256),
});
export type LoadConfig = z.infer<typeof loadConfigSchema>;

export function loadConfig(argv: string[]): LoadConfig {
  const { values } = parseArgs({
    // pnpm passes the `--` separator through.
    args: argv.filter((arg) => arg !== "--"),
    options: {
      url: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      accounts: { type: "string" },
      "max-in-flight": { type: "string" },
    },
    strict: true,
  });
  const parsed = loadConfigSchema.safeParse({ ...values, maxInFlight: values["max-in-flight"] });
  if (!parsed.success) throw new Error(`Invalid setting: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
