import { z } from "zod";

/** Account ids travel in URL paths: a conservative alphabet keeps them one path segment. */
export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be 1 to 128 characters of A-Z a-z 0-9 _ . : -");

const amount = z.number().int("must be a whole number").positive("must be greater than 0");
const sendOptions = {
  /** Makes the command idempotent: sent again, it returns its first outcome and appends nothing. */
  commandId: z.string().min(1).max(200).optional(),
  /** How long to look for the owner. */
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
};

export const commandBodySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("Open"), owner: z.string().min(1).max(100), ...sendOptions }),
  z.object({ type: z.literal("Deposit"), amount, ...sendOptions }),
  z.object({ type: z.literal("Withdraw"), amount, ...sendOptions }),
]);

export const transferBodySchema = z.object({
  from: accountIdSchema,
  to: accountIdSchema,
  amount,
  transferId: z.string().min(1).max(200).optional(),
  timeoutMs: sendOptions.timeoutMs,
});

export const loadBodySchema = z.object({
  rate: z.number().int().min(1).max(50_000).default(200),
  durationSeconds: z.number().positive().max(3_600).default(30),
});

export const domainEventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  type: z.string().optional(),
});
