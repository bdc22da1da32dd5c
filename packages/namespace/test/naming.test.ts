import { createHash } from "node:crypto";
import {
  actorIdFromToken,
  actorSubject,
  actorToken,
  busSubject,
  busSubjectForPattern,
  decodeSafeToken,
  encodeSafeToken,
  eventStreamName,
  eventStreamSubjects,
  isHashedToken,
  namespaceFromBusSubject,
  namespaceFromToken,
  namespaceToken,
  snapshotBucketName,
  snapshotKey,
} from "@aether/namespace/naming";
import { describe, expect, it } from "vitest";

describe("namespace: naming table", () => {
  it("namespace: names the stream, subjects, bucket and key of a plain namespace", () => {
    expect(eventStreamName("tenant-1")).toBe("AETHER_EVENTS_tenant-1");
    expect(eventStreamSubjects("tenant-1")).toBe("aether.events.tenant-1.*");
    expect(actorSubject("tenant-1", "acc-42")).toBe("aether.events.tenant-1.acc-42");
    expect(snapshotBucketName("tenant-1")).toBe("AETHER_SNAPSHOTS_tenant-1");
    expect(snapshotKey("acc-42")).toBe("acc-42");
    expect(busSubject("tenant-1")).toBe("aether.bus.tenant-1");
    expect(busSubjectForPattern("tenant-1.>")).toBe("aether.bus.tenant-1.>");
  });

  it("namespace: escapes '.', '_' and every non-[A-Za-z0-9-] byte as _XX", () => {
    expect(namespaceToken("a.b")).toBe("a_2Eb");
    expect(namespaceToken("a_b")).toBe("a_5Fb");
    expect(namespaceToken("a-b")).toBe("a-b");
    expect(actorToken("user@example.com")).toBe("user_40example_2Ecom");
    expect(actorToken("é")).toBe("_C3_A9");
    expect(actorToken("a b*>")).toBe("a_20b_2A_3E");
    expect(actorToken("😀")).toBe("_F0_9F_98_80");
    // The escaped spelling of an id is itself escaped: no collision.
    expect(actorToken("a_2Eb")).toBe("a_5F2Eb");
    expect(actorToken("a_2Eb")).not.toBe(actorToken("a.b"));
  });

  it("namespace: a.b, a_b and a-b never share a stream, bucket or subject", () => {
    const namespaces = ["a.b", "a_b", "a-b", "a.b_c", "a_b.c", "ab"];
    for (const naming of [eventStreamName, snapshotBucketName, eventStreamSubjects, busSubject]) {
      const names = namespaces.map(naming);
      expect(new Set(names).size, naming.name).toBe(namespaces.length);
    }
    expect(eventStreamName("a.b")).toBe("AETHER_EVENTS_a_2Eb");
    expect(eventStreamName("a_b")).toBe("AETHER_EVENTS_a_5Fb");
    expect(eventStreamName("a-b")).toBe("AETHER_EVENTS_a-b");
  });

  it("namespace: the subject of an actor in `a` never equals one in `a.b`", () => {
    // `aether.events.a.b` (actor "b" in "a") vs `aether.events.a.b.X` (actor "X" in "a.b").
    expect(actorSubject("a", "b")).toBe("aether.events.a.b");
    expect(actorSubject("a.b", "b")).toBe("aether.events.a.b.b");
    expect(actorSubject("a", "b.c")).toBe("aether.events.a.b_2Ec");
  });

  it("namespace: a long actor id is hashed to _H + SHA-256 and is not reversible", () => {
    const id = "x".repeat(257);
    const token = actorToken(id);
    expect(token).toBe(`_H${createHash("sha256").update(id).digest("hex")}`);
    expect(isHashedToken(token)).toBe(true);
    expect(actorIdFromToken(token)).toBeUndefined();
    // 256 plain characters still fit.
    expect(actorToken("x".repeat(256))).toBe("x".repeat(256));
    // 86 dots escape to 258 characters: hashed.
    expect(isHashedToken(actorToken(".".repeat(86)))).toBe(true);
    expect(actorToken(".".repeat(85))).toBe("_2E".repeat(85));
  });

  it("namespace: a long namespace token is hashed and the stream name stays short", () => {
    const namespace = "a_".repeat(64);
    expect(namespace.length).toBe(128);
    const token = namespaceToken(namespace);
    expect(isHashedToken(token)).toBe(true);
    expect(eventStreamName(namespace)).toBe(`AETHER_EVENTS_${token}`);
    expect(namespaceFromToken(token)).toBeUndefined();
    expect(namespaceFromToken(namespaceToken("a.b"))).toBe("a.b");
  });

  it("namespace: naming validates its inputs", () => {
    expect(() => eventStreamName("a.*")).toThrow(/^Invalid namespace "a\.\*"/);
    expect(() => snapshotBucketName("")).toThrow(/must not be empty/);
    expect(() => actorSubject("ok", "")).toThrow(/^Invalid actorId: must not be empty/);
    expect(() => actorToken("\uD800")).toThrow(/lone surrogate/);
    expect(() => snapshotKey("x".repeat(1025))).toThrow(/at most 1024/);
    expect(() => busSubject("a b")).toThrow(/whitespace/);
    expect(() => busSubjectForPattern("a.>.b")).toThrow(/before the last token/);
  });

  it("namespace: namespaceFromBusSubject reads the namespace back", () => {
    expect(namespaceFromBusSubject(busSubject("a.b-c"))).toBe("a.b-c");
    expect(namespaceFromBusSubject("aether.events.a")).toBeUndefined();
    expect(namespaceFromBusSubject("other.bus.a")).toBeUndefined();
  });
});

describe("namespace: safe tokens", () => {
  it("namespace: decodeSafeToken inverts encodeSafeToken", () => {
    for (const value of ["A", "a.b", "a_b", "-", "_", "é", "👩‍👩‍👧", "\u0000", "_H"]) {
      expect(decodeSafeToken(encodeSafeToken(value, 256), 256)).toBe(value);
    }
  });

  it("namespace: `_H` as a value is escaped, so it is not mistaken for a hash", () => {
    expect(encodeSafeToken("_H", 256)).toBe("_5FH");
    expect(isHashedToken(encodeSafeToken("_H", 256))).toBe(false);
  });

  it.each([
    ["_41", "'A' is written as A"],
    ["a_2eb", "hex must be uppercase"],
    ["_2D", "'-' is written as -"],
    ["_", "a lone escape"],
    ["_4", "a truncated escape"],
    ["_G0", "not hex"],
    ["_FF", "not UTF-8"],
    ["_C0_80", "overlong UTF-8"],
    ["_ED_A0_80", "an encoded surrogate"],
    ["a.b", "'.' is never in a token"],
    ["a b", "space is never in a token"],
    ["é", "non-ASCII is never in a token"],
    ["Ł", "a code unit above 255"],
    ["", "empty"],
    ["_Habc", "a hashed token"],
  ])("namespace: decodeSafeToken refuses the non-canonical token %j (%s)", (token) => {
    expect(decodeSafeToken(token, 256)).toBeUndefined();
    expect(actorIdFromToken(token)).toBeUndefined();
  });

  it("namespace: decodeSafeToken refuses a token longer than maxLength", () => {
    const token = "x".repeat(257);
    expect(decodeSafeToken(token, 256)).toBeUndefined();
    expect(decodeSafeToken(token, 300)).toBe(token);
  });

  it("namespace: encodeSafeToken refuses lone surrogates, empty values and a maxLength below the hash length", () => {
    // TextEncoder maps both to U+FFFD: encoding them would collide.
    expect(() => encodeSafeToken("\uD800", 256)).toThrow(/lone surrogate/);
    expect(() => encodeSafeToken("\uDBFF", 256)).toThrow(/lone surrogate/);
    expect(() => encodeSafeToken("", 256)).toThrow(/must not be empty/);
    expect(() => encodeSafeToken("a", 65)).toThrow(/maxLength must be an integer >= 66/);
    expect(encodeSafeToken("a", 66)).toBe("a");
    expect(encodeSafeToken(".".repeat(23), 66)).toMatch(/^_H[0-9a-f]{64}$/);
  });
});
