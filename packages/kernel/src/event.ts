import { z } from "zod";
import { AetherError, AetherErrorCode } from "./aetherError.js";
import { findJsonProblem } from "./jsonValue.js";
import { describeIssues } from "./validationMessage.js";

/** Longest actor id, in UTF-16 code units. */
export const MAX_ACTOR_ID_LENGTH = 1024;

// A lone surrogate has no UTF-8 encoding, so two different ids could collapse into one when stored.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const actorIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(MAX_ACTOR_ID_LENGTH, { error: `must be at most ${MAX_ACTOR_ID_LENGTH} characters` })
  .refine((id) => !loneSurrogate.test(id), {
    error: "must be well-formed Unicode (it holds a lone surrogate)",
  });

const versionSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be >= 1" });

const timestampSchema = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" });

// zod's record silently drops an own "__proto__" key; the JSON rule refuses it instead.
const metadataSchema = z
  .custom<object>(
    (value) => typeof value !== "object" || value === null || !Object.hasOwn(value, "__proto__"),
    {
      error: "must not have a key named __proto__",
    },
  )
  .pipe(z.record(z.string(), z.string({ error: "values must be strings" })));

/** Any value that follows the kernel's JSON rule (see `findJsonProblem`); `what` names it when absent. */
function jsonValueSchema(whenMissing: string) {
  return z.unknown().check((ctx) => {
    if (ctx.value === undefined) {
      ctx.issues.push({ code: "custom", message: whenMissing, input: ctx.value });
      return;
    }
    const found = findJsonProblem(ctx.value);
    if (found !== undefined) {
      ctx.issues.push({
        code: "custom",
        message: found.problem,
        path: found.path,
        input: ctx.value,
      });
    }
  });
}

/** One fact in an actor's history. */
export interface Event<D = unknown> {
  /** Globally unique id (UUIDv7 by default). */
  id: string;
  /** What happened, e.g. `AccountOpened`. */
  eventType: string;
  /** Any non-empty, well-formed string up to 1024 characters. */
  actorId: string;
  /** 1, 2, 3 … per actor, without gaps. */
  version: number;
  /** A JSON value under the kernel's JSON rule (`findJsonProblem`): anything else is refused. */
  data: D;
  /** correlationId, causationId, commandId, traceparent … */
  metadata?: Record<string, string>;
  /** ISO-8601; the store sets it when absent. */
  timestamp: string;
}

/** An event as handed to a store: the store fills in `timestamp` when it is missing. */
export type NewEvent<D = unknown> = Omit<Event<D>, "timestamp"> & { timestamp?: string };

export const newEventSchema = z.object({
  id: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }),
  eventType: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(256, { error: "must be at most 256 characters" }),
  actorId: actorIdSchema,
  version: versionSchema,
  data: jsonValueSchema("is required (any JSON value, e.g. {})"),
  metadata: metadataSchema.optional(),
  timestamp: timestampSchema.optional(),
});

export const eventSchema = newEventSchema.extend({ timestamp: timestampSchema });

/** The state of an actor at a version, kept to shorten replay. */
export interface ActorSnapshot<S = unknown> {
  actorId: string;
  version: number;
  state: S;
  timestamp: string;
  /** The shape of `state`; a snapshot whose schemaVersion differs from the actor's is ignored. */
  schemaVersion?: number;
}

export const actorSnapshotSchema = z.object({
  actorId: actorIdSchema,
  version: z.number().int().min(0, { error: "must be >= 0" }),
  state: jsonValueSchema("is required (the actor's state as JSON)"),
  timestamp: timestampSchema,
  schemaVersion: z.number().int().optional(),
});

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    // The schema refuses an own "__proto__" key; leaving such input to zod words it.
    if (key === "__proto__" || typeof (value as Record<string, unknown>)[key] !== "string") {
      return false;
    }
  }
  return true;
}

/**
 * The common case of `newEventSchema` checked by hand, because stores run it on every append:
 * returns the same fresh object zod would, or undefined to let zod find and word the problem.
 * `parseNewEvent`'s tests check both paths agree.
 */
function parseWellFormedNewEvent(input: unknown): NewEvent | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const { id, eventType, actorId, version, data, metadata, timestamp } = input as Record<
    string,
    unknown
  >;
  if (typeof id !== "string" || id.length === 0) return undefined;
  if (typeof eventType !== "string" || eventType.length === 0 || eventType.length > 256)
    return undefined;
  if (typeof actorId !== "string" || actorId.length === 0 || actorId.length > MAX_ACTOR_ID_LENGTH) {
    return undefined;
  }
  if (loneSurrogate.test(actorId)) return undefined;
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1)
    return undefined;
  if (data === undefined || findJsonProblem(data) !== undefined) return undefined;
  if (metadata !== undefined && !isStringRecord(metadata)) return undefined;
  if (timestamp !== undefined && !timestampSchema.safeParse(timestamp).success) return undefined;
  const event: NewEvent = { id, eventType, actorId, version, data };
  if (metadata !== undefined) event.metadata = { ...metadata };
  if (timestamp !== undefined) event.timestamp = timestamp as string;
  return event;
}

/** Validates an incoming event, throwing an `INVALID_EVENT` error that names each bad field. */
export function parseNewEvent(input: unknown): NewEvent {
  const fast = parseWellFormedNewEvent(input);
  if (fast !== undefined) return fast;
  const result = newEventSchema.safeParse(input);
  if (result.success) return result.data as NewEvent;
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `Invalid event: ${describeIssues(result.error)}`,
    {
      cause: result.error,
    },
  );
}

/** Validates a snapshot, throwing an `INVALID_EVENT` error that names each bad field. */
export function parseActorSnapshot(input: unknown): ActorSnapshot {
  const result = actorSnapshotSchema.safeParse(input);
  if (result.success) return result.data as ActorSnapshot;
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `Invalid snapshot: ${describeIssues(result.error)}`,
    { cause: result.error },
  );
}

/** Validates an actor id, throwing an `INVALID_ARGUMENT` error that says what is wrong. */
export function parseActorId(input: unknown): string {
  const result = actorIdSchema.safeParse(input);
  if (result.success) return result.data;
  throw new AetherError(
    AetherErrorCode.InvalidArgument,
    `Invalid actorId: ${describeIssues(result.error)}`,
    { cause: result.error },
  );
}
