import {
  AetherError,
  AetherErrorCode,
  defineErrorCodes,
  errorCodeNames,
  isAetherError,
  isRetryable,
} from "@aether/kernel";
import type { ErrorCodeOf, RetryableErrorCodeOf } from "@aether/kernel";
import { describe, expect, expectTypeOf, it } from "vitest";

describe("kernel: AetherError", () => {
  it("kernel: carries code, message, name, details and cause", () => {
    const cause = new Error("socket closed");
    const error = new AetherError(AetherErrorCode.Unavailable, "NATS is unreachable", {
      cause,
      details: { server: "127.0.0.1:4222" },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(AetherError);
    expect(error.name).toBe("AetherError");
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe("NATS is unreachable");
    expect(error.details).toEqual({ server: "127.0.0.1:4222" });
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe("AetherError: NATS is unreachable");
    expect(error.stack).toContain("NATS is unreachable");
  });

  it("kernel: details default to an empty object and cause stays absent", () => {
    const error = new AetherError(AetherErrorCode.Internal, "odd reply");
    expect(error.details).toEqual({});
    expect("cause" in error).toBe(false);
  });

  it("kernel: codes are the documented stable strings", () => {
    expect(AetherErrorCode).toEqual({
      InvalidArgument: "INVALID_ARGUMENT",
      InvalidEvent: "INVALID_EVENT",
      InvalidNamespace: "INVALID_NAMESPACE",
      VersionConflict: "VERSION_CONFLICT",
      RetriesExhausted: "RETRIES_EXHAUSTED",
      PayloadTooLarge: "PAYLOAD_TOO_LARGE",
      Unavailable: "UNAVAILABLE",
      Timeout: "TIMEOUT",
      Closed: "CLOSED",
      Misconfigured: "MISCONFIGURED",
      Internal: "INTERNAL",
    });
  });

  it.each(Object.values(AetherErrorCode))(
    "kernel: %s is retryable only if UNAVAILABLE or TIMEOUT",
    (code) => {
      const error = new AetherError(code, "x");
      const expected = code === "UNAVAILABLE" || code === "TIMEOUT";
      expect(error.retryable).toBe(expected);
      expect(isRetryable(error)).toBe(expected);
    },
  );

  it("kernel: retryable is typed from the code", () => {
    expectTypeOf(new AetherError(AetherErrorCode.Timeout, "t").retryable).toEqualTypeOf<true>();
    expectTypeOf(
      new AetherError(AetherErrorCode.VersionConflict, "c").retryable,
    ).toEqualTypeOf<false>();
  });

  it("kernel: a subclass keeps its own name and stays an AetherError", () => {
    class ClusterError extends AetherError {
      constructor(message: string) {
        super(AetherErrorCode.Unavailable, message);
        this.name = "ClusterError";
      }
    }
    const error = new ClusterError("no leader");
    expect(error.name).toBe("ClusterError");
    expect(error).toBeInstanceOf(AetherError);
    expect(isAetherError(error, AetherErrorCode.Unavailable)).toBe(true);
    expect(isRetryable(error)).toBe(true);
  });
});

describe("kernel: isAetherError", () => {
  it("kernel: recognises a real AetherError, with and without a code filter", () => {
    const error = new AetherError(AetherErrorCode.Closed, "closed");
    expect(isAetherError(error)).toBe(true);
    expect(isAetherError(error, AetherErrorCode.Closed)).toBe(true);
    expect(isAetherError(error, AetherErrorCode.Timeout)).toBe(false);
  });

  it("kernel: recognises an error from a duplicated copy of the package by its code", () => {
    // What another copy of @aether/kernel produces: a different class, same shape.
    class ForeignAetherError extends Error {
      readonly code = "VERSION_CONFLICT";
      readonly retryable = false;
    }
    const foreign = new ForeignAetherError("conflict");
    expect(foreign instanceof AetherError).toBe(false);
    expect(isAetherError(foreign)).toBe(true);
    expect(isAetherError(foreign, AetherErrorCode.VersionConflict)).toBe(true);

    const plain = Object.assign(new Error("timeout"), { code: "TIMEOUT", retryable: true });
    expect(isAetherError(plain, AetherErrorCode.Timeout)).toBe(true);
    expect(isRetryable(plain)).toBe(true);
  });

  it("kernel: refuses unknown codes, non-string codes and non-errors", () => {
    expect(isAetherError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(isAetherError(Object.assign(new Error("x"), { code: 503 }))).toBe(false);
    expect(isAetherError(new Error("plain"))).toBe(false);
    expect(isAetherError({ code: "TIMEOUT", message: "not an Error" })).toBe(false);
    expect(isAetherError(undefined)).toBe(false);
    expect(isAetherError("TIMEOUT")).toBe(false);
  });
});

describe("kernel: isRetryable", () => {
  it("kernel: false for non-Aether errors, even with a retryable flag", () => {
    expect(isRetryable(new Error("boom"))).toBe(false);
    expect(isRetryable(Object.assign(new Error("x"), { retryable: true }))).toBe(false);
    expect(isRetryable(null)).toBe(false);
  });

  it("kernel: false for a foreign error with a fatal code", () => {
    const foreign = Object.assign(new Error("conflict"), {
      code: "VERSION_CONFLICT",
      retryable: false,
    });
    expect(isRetryable(foreign)).toBe(false);
  });
});

describe("kernel: package error codes", () => {
  const clusterErrorCodes = defineErrorCodes({
    NotOwner: { code: "NOT_OWNER", retryable: true },
    ShardCountMismatch: { code: "SHARD_COUNT_MISMATCH", retryable: false },
  });
  type ClusterErrorCode = ErrorCodeOf<typeof clusterErrorCodes>;
  class ClusterError<C extends ClusterErrorCode = ClusterErrorCode> extends AetherError<
    C,
    C extends RetryableErrorCodeOf<typeof clusterErrorCodes> ? true : false
  > {
    constructor(code: C, message: string) {
      super(code, message, { codes: clusterErrorCodes });
      this.name = "ClusterError";
    }
  }

  it("kernel: a package declares codes with their retryable flag, without the kernel knowing them", () => {
    const notOwner = new ClusterError("NOT_OWNER", "shard 3 moved");
    const mismatch = new ClusterError("SHARD_COUNT_MISMATCH", "64 vs 128");
    expect(notOwner.retryable).toBe(true);
    expect(mismatch.retryable).toBe(false);
    expect(isAetherError(notOwner, "NOT_OWNER")).toBe(true);
    expect(isRetryable(notOwner)).toBe(true);
    expect(isRetryable(mismatch)).toBe(false);
    expect(errorCodeNames(clusterErrorCodes)).toEqual({
      NotOwner: "NOT_OWNER",
      ShardCountMismatch: "SHARD_COUNT_MISMATCH",
    });
    expectTypeOf(notOwner.retryable).toEqualTypeOf<true>();
    expectTypeOf(mismatch.retryable).toEqualTypeOf<false>();
  });

  it("kernel: a code must be UPPER_SNAKE_CASE, unique, and not one of the kernel's", () => {
    expect(() => defineErrorCodes({ Bad: { code: "not-owner", retryable: true } })).toThrow(
      /UPPER_SNAKE_CASE/,
    );
    expect(() => defineErrorCodes({ Again: { code: "TIMEOUT", retryable: true } })).toThrow(
      /"TIMEOUT" \(Again\) is already taken/,
    );
    expect(() =>
      defineErrorCodes({ A: { code: "X", retryable: true }, B: { code: "X", retryable: false } }),
    ).toThrow(/already taken/);
  });

  it("kernel: constructing an error with a code outside its table is a programming error", () => {
    expect(() => new AetherError("NOT_OWNER", "x")).toThrow(
      /Unknown Aether error code "NOT_OWNER"/,
    );
  });

  it("kernel: an unbranded error with a package code is not taken for an Aether error", () => {
    expect(
      isAetherError(Object.assign(new Error("x"), { code: "NOT_OWNER", retryable: true })),
    ).toBe(false);
  });
});
