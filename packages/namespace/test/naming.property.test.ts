import { createHash } from "node:crypto";
import { compileNamespacePattern, isValidNamespace } from "@aether/namespace";
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
  namespaceFromToken,
  namespaceToken,
  snapshotBucketName,
  snapshotKey,
} from "@aether/namespace/naming";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// ---- References written independently of the package -------------------------------------------

/** The documented encoding, byte by byte: [A-Za-z0-9-] kept, every other UTF-8 byte as _XX. */
function referenceEscape(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(char)
      ? char
      : `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** NATS subject matching: `*` one token, `>` one or more trailing tokens. */
function natsSubjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** A valid NATS subject to publish on: non-empty tokens, no wildcards, no whitespace. */
function isPublishableSubject(subject: string): boolean {
  return subject.split(".").every((token) => /^[^\s*>]+$/.test(token));
}

/** A valid JetStream stream / KV bucket name. */
function isValidStreamName(name: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(name) && Buffer.byteLength(name, "utf8") <= 255;
}

const tokenPattern = /^[A-Za-z0-9_-]+$/;

// ---- Arbitraries ----------------------------------------------------------------------------------

const special = fc.constantFrom(".", "*", ">", " ", "_", "-");
const specialOrPlain = fc.constantFrom(".", "*", ">", " ", "_", "-", "a", "A", "0", "é", "\t");

const isActorId = (s: string) => s.length >= 1 && s.length <= 1024;
// Slicing a long string can split a surrogate pair; such ids are refused (tested below), not encoded.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every kind of actor id the contract allows: unicode, graphemes, special characters, 1 KiB. */
const actorIds = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
    fc.string({ minLength: 1, maxLength: 40, unit: "binary" }),
    fc.string({ minLength: 1, maxLength: 40, unit: "binary-ascii" }),
    fc.string({ minLength: 1, maxLength: 12, unit: special }),
    fc.string({ minLength: 1, maxLength: 12, unit: specialOrPlain }),
    fc.string({ minLength: 80, maxLength: 1024, unit: specialOrPlain }),
    fc.string({ minLength: 200, maxLength: 300, unit: "grapheme-ascii" }),
    fc.string({ minLength: 1000, maxLength: 1024, unit: "binary" }).map((s) => s.slice(0, 1024)),
    fc.constantFrom("x".repeat(1024), ".".repeat(1024), "😀".repeat(512), "_H", "_41", "A"),
  )
  .filter((s) => isActorId(s) && !loneSurrogate.test(s));

const namespaceTokenChars = fc.constantFrom(..."abcxyzABCXYZ0189_-".split(""));
/** Valid namespaces, biased towards near-collisions such as a.b / a_b / a-b. */
const namespaces = fc
  .oneof(
    fc.array(fc.string({ minLength: 1, maxLength: 12, unit: namespaceTokenChars }), {
      minLength: 1,
      maxLength: 8,
    }),
    fc.array(fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom("a", "b", "_", "-") }), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.array(fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom("_", "-", "a") }), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map((tokens) => tokens.join("."))
  .filter((namespace) => namespace.length <= 128);

const runs = { numRuns: 500 };

// ---- Actor ids ----------------------------------------------------------------------------------

describe("namespace: actor-id naming properties", () => {
  it("namespace: the actor token is a valid token of at most 256 characters", () => {
    fc.assert(
      fc.property(actorIds, (id) => {
        const token = actorToken(id);
        expect(token).toMatch(tokenPattern);
        expect(token.length).toBeLessThanOrEqual(256);
        expect(snapshotKey(id)).toBe(token);
      }),
      runs,
    );
  });

  it("namespace: the actor token is the documented escape, or _H + SHA-256 when that is too long", () => {
    fc.assert(
      fc.property(actorIds, (id) => {
        const escaped = referenceEscape(id);
        const expected =
          escaped.length <= 256
            ? escaped
            : `_H${createHash("sha256").update(id, "utf8").digest("hex")}`;
        expect(actorToken(id)).toBe(expected);
      }),
      runs,
    );
  });

  it("namespace: the actor token round-trips through actorIdFromToken whenever it is not hashed", () => {
    fc.assert(
      fc.property(actorIds, (id) => {
        const token = actorToken(id);
        if (isHashedToken(token)) {
          expect(actorIdFromToken(token)).toBeUndefined();
          expect(referenceEscape(id).length).toBeGreaterThan(256);
        } else {
          expect(actorIdFromToken(token)).toBe(id);
        }
      }),
      runs,
    );
  });

  it("namespace: distinct actor ids get distinct tokens (injective)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(actorIds, { minLength: 2, maxLength: 60 }), (ids) => {
        const tokens = new Set(ids.map(actorToken));
        expect(tokens.size).toBe(ids.length);
      }),
      { numRuns: 300 },
    );
  });

  it("namespace: injective on pairs that differ by one special character", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20, unit: specialOrPlain }),
        special,
        special,
        fc.string({ maxLength: 20, unit: specialOrPlain }),
        (prefix, a, b, suffix) => {
          fc.pre(a !== b);
          expect(actorToken(prefix + a + suffix)).not.toBe(actorToken(prefix + b + suffix));
        },
      ),
      runs,
    );
  });

  it("namespace: an id never shares a token with its own escaped spelling (e.g. `a.b` vs `a_2Eb`)", () => {
    fc.assert(
      fc.property(actorIds, (id) => {
        const escaped = referenceEscape(id);
        fc.pre(escaped !== id && escaped.length <= 1024);
        expect(actorToken(escaped)).not.toBe(actorToken(id));
      }),
      runs,
    );
  });

  it("namespace: injective over ids that look like escapes", () => {
    const lookalike = fc.string({
      minLength: 1,
      maxLength: 6,
      unit: fc.constantFrom("_", ".", "2", "E", "5", "F", "a", "-"),
    });
    fc.assert(
      fc.property(fc.uniqueArray(lookalike, { minLength: 2, maxLength: 200 }), (ids) => {
        expect(new Set(ids.map(actorToken)).size).toBe(ids.length);
      }),
      { numRuns: 300 },
    );
  });

  it("namespace: the actor subject is one publishable token under its namespace's stream filter", () => {
    fc.assert(
      fc.property(namespaces, actorIds, (namespace, id) => {
        const subject = actorSubject(namespace, id);
        expect(isPublishableSubject(subject)).toBe(true);
        expect(subject.split(".").length).toBe(namespace.split(".").length + 3);
        expect(subject.startsWith(`aether.events.${namespace}.`)).toBe(true);
        expect(natsSubjectMatches(eventStreamSubjects(namespace), subject)).toBe(true);
        expect(Buffer.byteLength(subject)).toBeLessThanOrEqual(14 + 128 + 1 + 256);
      }),
      runs,
    );
  });

  it("namespace: an actor subject is captured by exactly one namespace's stream", () => {
    fc.assert(
      fc.property(namespaces, namespaces, actorIds, (owner, other, id) => {
        fc.pre(owner !== other);
        const subject = actorSubject(owner, id);
        expect(natsSubjectMatches(eventStreamSubjects(other), subject)).toBe(false);
      }),
      runs,
    );
  });

  it("namespace: (namespace, actor id) → subject is injective", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(namespaces, actorIds), {
          minLength: 2,
          maxLength: 40,
          selector: ([namespace, id]) => JSON.stringify([namespace, id]),
        }),
        (pairs) => {
          const subjects = new Set(pairs.map(([namespace, id]) => actorSubject(namespace, id)));
          expect(subjects.size).toBe(pairs.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("namespace: ids holding a lone surrogate are refused, never encoded", () => {
    const loneHigh = fc
      .tuple(
        fc.string({ maxLength: 5 }),
        fc.integer({ min: 0xd800, max: 0xdbff }),
        fc.string({ maxLength: 5 }),
      )
      .map(([before, unit, after]) => before + String.fromCharCode(unit) + after);
    const loneLow = fc
      .tuple(
        fc.string({ maxLength: 5 }),
        fc.integer({ min: 0xdc00, max: 0xdfff }),
        fc.string({ maxLength: 5 }),
      )
      .map(([before, unit, after]) => before + String.fromCharCode(unit) + after);
    fc.assert(
      fc.property(fc.oneof(loneHigh, loneLow), (id) => {
        expect(() => actorToken(id)).toThrow(/lone surrogate/);
        expect(() => encodeSafeToken(id, 256)).toThrow(/lone surrogate/);
      }),
      runs,
    );
  });
});

// ---- Namespaces -----------------------------------------------------------------------------------

describe("namespace: namespace naming properties", () => {
  it("namespace: the arbitrary only builds valid namespaces", () => {
    fc.assert(
      fc.property(namespaces, (namespace) => isValidNamespace(namespace)),
      runs,
    );
  });

  it("namespace: stream and bucket names are valid NATS names", () => {
    fc.assert(
      fc.property(namespaces, (namespace) => {
        for (const name of [eventStreamName(namespace), snapshotBucketName(namespace)]) {
          expect(isValidStreamName(name), name).toBe(true);
          expect(name).not.toMatch(/[.*>\s]/);
        }
        expect(namespaceToken(namespace).length).toBeLessThanOrEqual(192);
      }),
      runs,
    );
  });

  it("namespace: the namespace token round-trips whenever it is not hashed", () => {
    fc.assert(
      fc.property(namespaces, (namespace) => {
        const token = namespaceToken(namespace);
        expect(namespaceFromToken(token)).toBe(isHashedToken(token) ? undefined : namespace);
        expect(isHashedToken(token)).toBe(referenceEscape(namespace).length > 192);
      }),
      runs,
    );
  });

  it("namespace: distinct namespaces get distinct streams, buckets and subjects (injective)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(namespaces, { minLength: 2, maxLength: 60 }), (list) => {
        for (const naming of [
          eventStreamName,
          snapshotBucketName,
          eventStreamSubjects,
          busSubject,
        ]) {
          expect(new Set(list.map(naming)).size, naming.name).toBe(list.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("namespace: the event streams of two namespaces never capture the same subject", () => {
    fc.assert(
      fc.property(namespaces, namespaces, (a, b) => {
        fc.pre(a !== b);
        // Both filters are `aether.events.<ns>.*`: they overlap only if the namespaces are equal.
        const probe = `${eventStreamSubjects(a).slice(0, -1)}x`;
        expect(natsSubjectMatches(eventStreamSubjects(b), probe)).toBe(false);
      }),
      runs,
    );
  });
});

// ---- Safe-token decoding -------------------------------------------------------------------------

describe("namespace: safe-token decoding properties", () => {
  const tokenish = fc.string({
    minLength: 1,
    maxLength: 16,
    unit: fc.constantFrom(
      "_",
      "2",
      "4",
      "1",
      "E",
      "e",
      "F",
      "f",
      "C",
      "3",
      "A",
      "9",
      "a",
      "-",
      "H",
    ),
  });

  it("namespace: a decoded token is canonical: encoding the value gives the token back", () => {
    fc.assert(
      fc.property(tokenish, (token) => {
        const value = decodeSafeToken(token, 256);
        if (value !== undefined) expect(encodeSafeToken(value, 256)).toBe(token);
      }),
      { numRuns: 2000 },
    );
  });

  it("namespace: decoding is injective: two tokens never decode to one value", () => {
    fc.assert(
      fc.property(fc.uniqueArray(tokenish, { minLength: 2, maxLength: 80 }), (tokens) => {
        const values = tokens
          .map((token) => decodeSafeToken(token, 256))
          .filter((v) => v !== undefined);
        expect(new Set(values).size).toBe(values.length);
      }),
      runs,
    );
  });
});

// ---- Pattern matching -----------------------------------------------------------------------------

/** A reference matcher over token lists, written from the NATS rules. */
function referenceMatches(pattern: string[], namespace: string[]): boolean {
  if (pattern.length === 0) return namespace.length === 0;
  const [head, ...rest] = pattern;
  if (head === ">") return namespace.length >= 1;
  if (namespace.length === 0) return false;
  if (head !== "*" && head !== namespace[0]) return false;
  return referenceMatches(rest, namespace.slice(1));
}

describe("namespace: pattern matching properties", () => {
  const nsToken = fc.constantFrom("a", "b", "c", "a-b", "a_b");
  const nsTokens = fc.array(nsToken, { minLength: 1, maxLength: 5 });
  const patternTokens = fc
    .tuple(
      fc.array(fc.oneof(nsToken, fc.constant("*")), { minLength: 0, maxLength: 5 }),
      fc.boolean(),
    )
    .map(([tokens, tail]) => (tail ? [...tokens, ">"] : tokens))
    .filter((tokens) => tokens.length > 0);

  it("namespace: compileNamespacePattern agrees with a reference matcher", () => {
    fc.assert(
      fc.property(patternTokens, nsTokens, (pattern, namespace) => {
        const expected = referenceMatches(pattern, namespace);
        expect(compileNamespacePattern(pattern.join(".")).matches(namespace.join("."))).toBe(
          expected,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("namespace: NATS routes a bus pattern subject exactly as the matcher says", () => {
    fc.assert(
      fc.property(patternTokens, nsTokens, (pattern, namespace) => {
        const p = pattern.join(".");
        const ns = namespace.join(".");
        expect(natsSubjectMatches(busSubjectForPattern(p), busSubject(ns))).toBe(
          compileNamespacePattern(p).matches(ns),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("namespace: a pattern without wildcards matches only itself", () => {
    fc.assert(
      fc.property(nsTokens, nsTokens, (a, b) => {
        expect(compileNamespacePattern(a.join(".")).matches(b.join("."))).toBe(
          a.join(".") === b.join("."),
        );
      }),
      runs,
    );
  });
});
