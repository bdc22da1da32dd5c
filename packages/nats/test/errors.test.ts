import { AetherError, isAetherError } from "@aether/kernel";
import { isServerVersionBefore, parseServerVersion, toAetherError } from "@aether/nats";
import { JetStreamErrorCode, isJetStreamApiError } from "@aether/nats/jetstream";
import { JetStreamApiError } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";

function named(name: string, extra: object = {}): Error {
  return Object.assign(new Error(name), { name }, extra);
}

describe("nats: error mapping", () => {
  const map = (error: unknown) => toAetherError(error, 'append to actor "a"');

  it("makes transport failures retryable and says the outcome of a timeout is unknown", () => {
    const timeout = map(named("TimeoutError"));
    expect(timeout).toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(timeout.message).toMatch(/^append to actor "a": .*outcome is unknown/);
    expect(map(named("NoResponders"))).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(map(named("RequestError", { cause: named("NoResponders") })).code).toBe("UNAVAILABLE");
    expect(
      map(
        new JetStreamApiError({
          code: 503,
          err_code: 0,
          description: "JetStream system temporarily unavailable",
        }),
      ),
    ).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(
      map(new JetStreamApiError({ code: 408, err_code: 0, description: "timeout" })).code,
    ).toBe("TIMEOUT");
  });

  it("keeps what retrying cannot fix fatal", () => {
    expect(map(named("ClosedConnectionError"))).toMatchObject({ code: "CLOSED", retryable: false });
    expect(map(named("RequestError", { cause: named("ClosedConnectionError") })).code).toBe(
      "CLOSED",
    );
    expect(
      map(
        new JetStreamApiError({
          code: 400,
          err_code: 10054,
          description: "message size exceeds maximum allowed",
        }),
      ).code,
    ).toBe("PAYLOAD_TOO_LARGE");
    expect(
      map(named("InvalidArgumentError", { message: "payload max_payload size exceeded" })).code,
    ).toBe("PAYLOAD_TOO_LARGE");
    expect(map(named("JetStreamApiError", { status: 500, code: 10077 }))).toMatchObject({
      code: "INTERNAL",
      details: { status: 500, errCode: 10077 },
    });
    expect(map(new Error("boom"))).toMatchObject({ code: "INTERNAL", retryable: false });
    const original = new AetherError("VERSION_CONFLICT", "x");
    expect(map(original)).toBe(original);
    expect(isAetherError(map("a string"))).toBe(true);
  });
});

describe("nats: server versions", () => {
  it("compares nats-server versions", () => {
    expect(parseServerVersion("2.9.10")).toEqual([2, 9, 10]);
    expect(parseServerVersion("v2.10.0-beta.3")).toEqual([2, 10, 0]);
    expect(parseServerVersion(undefined)).toBeUndefined();
    expect(isServerVersionBefore([2, 9, 10], [2, 9, 21])).toBe(true);
    expect(isServerVersionBefore([2, 10, 0], [2, 9, 21])).toBe(false);
    expect(isServerVersionBefore([2, 9, 21], [2, 9, 21])).toBe(false);
  });
});

describe("nats: JetStream refusals", () => {
  it("recognises nats.js's JetStreamApiError, by err_code when asked", () => {
    const wrongSequence = new JetStreamApiError({
      code: 400,
      err_code: JetStreamErrorCode.StreamWrongLastSequence,
      description: "wrong last sequence: 3",
    });
    expect(isJetStreamApiError(wrongSequence)).toBe(true);
    expect(isJetStreamApiError(wrongSequence, 10071)).toBe(true);
    expect(isJetStreamApiError(wrongSequence, JetStreamErrorCode.StreamNotFound)).toBe(false);
    expect(isJetStreamApiError(named("JetStreamApiError", { code: 10071 }), 10071)).toBe(true);
    expect(isJetStreamApiError(new Error("wrong last sequence"))).toBe(false);
  });
});
