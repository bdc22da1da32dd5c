import {
  AetherErrorCode,
  MAX_ACTOR_ID_LENGTH,
  actorIdSchema,
  actorSnapshotSchema,
  describeIssues,
  eventSchema,
  isAetherError,
  newEventSchema,
  parseActorId,
  parseActorSnapshot,
  parseNewEvent,
} from "@aether/kernel";
import { describe, expect, it } from "vitest";

const validEvent = {
  id: "0190a6e2-0000-7000-8000-000000000001",
  eventType: "AccountOpened",
  actorId: "account-1",
  version: 1,
  data: { owner: "Ada" },
  metadata: { correlationId: "c-1", commandId: "cmd-1" },
  timestamp: "2024-05-01T12:00:00.000Z",
};

const validSnapshot = {
  actorId: "account-1",
  version: 3,
  state: { balance: 10 },
  timestamp: "2024-05-01T12:00:00+02:00",
  schemaVersion: 2,
};

function parseError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the call to throw");
}

describe("kernel: eventSchema", () => {
  it("kernel: accepts a complete event and keeps every field", () => {
    expect(eventSchema.parse(validEvent)).toEqual(validEvent);
    expect(parseNewEvent(validEvent)).toEqual(validEvent);
  });

  it("kernel: accepts an event without metadata and with any JSON data", () => {
    const { metadata: _metadata, ...bare } = validEvent;
    for (const data of [null, 0, "x", [1, 2], { nested: { deep: true } }]) {
      expect(eventSchema.safeParse({ ...bare, data }).success).toBe(true);
    }
  });

  it("kernel: accepts an offset timestamp, rejects a date without time", () => {
    expect(
      eventSchema.safeParse({ ...validEvent, timestamp: "2024-05-01T12:00:00+05:30" }).success,
    ).toBe(true);
    expect(eventSchema.safeParse({ ...validEvent, timestamp: "2024-05-01" }).success).toBe(false);
  });

  it("kernel: eventSchema requires a timestamp, newEventSchema does not", () => {
    const { timestamp: _timestamp, ...withoutTimestamp } = validEvent;
    expect(newEventSchema.safeParse(withoutTimestamp).success).toBe(true);
    const result = eventSchema.safeParse(withoutTimestamp);
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toMatch(/^timestamp: /);
  });

  const invalidFields: [field: string, value: unknown, message: RegExp][] = [
    ["id", "", /^id: must not be empty$/],
    ["id", 42, /^id: must be a string$/],
    ["eventType", "", /^eventType: must not be empty$/],
    ["eventType", "x".repeat(257), /^eventType: must be at most 256 characters$/],
    ["actorId", "", /^actorId: must not be empty$/],
    ["actorId", undefined, /^actorId: must be a string$/],
    ["version", 0, /^version: must be >= 1$/],
    ["version", -3, /^version: must be >= 1$/],
    ["version", 1.5, /^version: must be an integer$/],
    ["version", "1", /^version: must be a number$/],
    ["data", undefined, /^data: is required \(any JSON value, e\.g\. \{\}\)$/],
    ["metadata", { traceId: 7 }, /^metadata\.traceId: values must be strings$/],
    ["metadata", "correlationId=1", /^metadata: /],
    ["timestamp", "yesterday", /^timestamp: must be an ISO-8601 date-time$/],
  ];

  it.each(invalidFields)(
    "kernel: rejects %s = %j with a message naming the field",
    (field, value, message) => {
      const input = { ...validEvent, [field]: value };
      const result = eventSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(describeIssues(result.error!)).toMatch(message);

      const error = parseError(() => parseNewEvent(input));
      expect(isAetherError(error, AetherErrorCode.InvalidEvent)).toBe(true);
      expect(error.message).toMatch(/^Invalid event: /);
      expect(error.message).toContain(`${field}`);
      expect(error.cause).toBeDefined();
    },
  );

  it("kernel: names every bad field at once", () => {
    const error = parseError(() => parseNewEvent({ ...validEvent, id: "", version: 0 }));
    expect(error.message).toBe("Invalid event: id: must not be empty; version: must be >= 1");
  });

  it("kernel: rejects a non-object with INVALID_EVENT", () => {
    const error = parseError(() => parseNewEvent("not an event"));
    expect(error.code).toBe("INVALID_EVENT");
  });
});

describe("kernel: actorIdSchema", () => {
  it("kernel: MAX_ACTOR_ID_LENGTH is 1024", () => {
    expect(MAX_ACTOR_ID_LENGTH).toBe(1024);
  });

  it("kernel: accepts 1 and 1024 characters, rejects 0 and 1025", () => {
    expect(actorIdSchema.safeParse("a").success).toBe(true);
    expect(actorIdSchema.safeParse("a".repeat(1024)).success).toBe(true);
    expect(parseError(() => parseActorId("")).message).toBe("Invalid actorId: must not be empty");
    expect(parseError(() => parseActorId("a".repeat(1025))).message).toBe(
      "Invalid actorId: must be at most 1024 characters",
    );
  });

  it("kernel: accepts any well-formed unicode and special characters", () => {
    for (const id of [
      "été",
      "账户-1",
      "🚀 rocket",
      "👩‍👩‍👧‍👦",
      "a.b.*.>",
      " ",
      "\u0000\t\n",
      "orders/2024/1",
      "_H0123",
    ]) {
      expect(parseActorId(id)).toBe(id);
    }
  });

  it("kernel: rejects lone surrogates, high or low, anywhere in the id", () => {
    for (const id of [
      "\uD800",
      "a\uDC00",
      "\uD83D",
      "x\uDE00y",
      "\uDE00\uD83D",
      "\uD83D\uD83D\uDE00",
    ]) {
      const error = parseError(() => parseActorId(id));
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toBe(
        "Invalid actorId: must be well-formed Unicode (it holds a lone surrogate)",
      );
    }
    // A proper pair is fine.
    expect(parseActorId("\uD83D\uDE00")).toBe("😀");
  });

  it("kernel: rejects a non-string actorId with INVALID_ARGUMENT", () => {
    const error = parseError(() => parseActorId(42));
    expect(isAetherError(error, AetherErrorCode.InvalidArgument)).toBe(true);
    expect(error.message).toBe("Invalid actorId: must be a string");
  });

  it("kernel: an event with a bad actorId is refused with the actorId named", () => {
    expect(parseError(() => parseNewEvent({ ...validEvent, actorId: "\uD800" })).message).toBe(
      "Invalid event: actorId: must be well-formed Unicode (it holds a lone surrogate)",
    );
    expect(
      parseError(() => parseNewEvent({ ...validEvent, actorId: "x".repeat(1025) })).message,
    ).toBe("Invalid event: actorId: must be at most 1024 characters");
  });
});

describe("kernel: actorSnapshotSchema", () => {
  it("kernel: accepts a snapshot, with or without schemaVersion, at version 0", () => {
    expect(parseActorSnapshot(validSnapshot)).toEqual(validSnapshot);
    const { schemaVersion: _schemaVersion, ...withoutSchema } = validSnapshot;
    expect(actorSnapshotSchema.parse({ ...withoutSchema, version: 0 })).toEqual({
      ...withoutSchema,
      version: 0,
    });
  });

  const invalidFields: [field: string, value: unknown][] = [
    ["actorId", ""],
    ["actorId", "\uDC00"],
    ["version", -1],
    ["version", 2.5],
    ["timestamp", "not a date"],
    ["timestamp", undefined],
    ["schemaVersion", 1.5],
    ["schemaVersion", "2"],
  ];

  it.each(invalidFields)("kernel: rejects snapshot %s = %j naming the field", (field, value) => {
    const error = parseError(() => parseActorSnapshot({ ...validSnapshot, [field]: value }));
    expect(isAetherError(error, AetherErrorCode.InvalidEvent)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^Invalid snapshot: ${field}: `));
  });
});
