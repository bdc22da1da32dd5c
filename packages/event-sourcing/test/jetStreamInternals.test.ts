import type { Event } from "@aether/kernel";
import type { StoredMessage } from "@aether/nats/jetstream";
import { describe, expect, it } from "vitest";
import {
  decodeLinks,
  encodeLinks,
  MAX_LINKS,
  nextLinks,
} from "../src/jetstream/internal/history/chainLinks.js";
import { decodeEvents, encodeEvents } from "../src/jetstream/internal/history/eventCodec.js";
import { HistoryFold } from "../src/jetstream/internal/history/historyFold.js";
import { PositionCache } from "../src/jetstream/internal/history/positionCache.js";

const encoder = new TextEncoder();

function event(version: number, actorId = "acc"): Event {
  return {
    id: `e${version}`,
    eventType: "Deposited",
    actorId,
    version,
    data: { version },
    timestamp: "2026-01-01T00:00:00.000Z",
  };
}

function message(seq: number, body: unknown): StoredMessage {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { seq, subject: "s", data: encoder.encode(text), header: () => undefined };
}

describe("event-sourcing/jetstream chain links", () => {
  it("round-trips links as the newest sequence and the gaps below it", () => {
    expect(encodeLinks([])).toBe("0");
    expect(encodeLinks([1000, 990, 5])).toBe("1000,10,985");
    expect(decodeLinks("1000,10,985")).toEqual([1000, 990, 5]);
    expect(decodeLinks("0")).toEqual([]);
  });

  it("treats a missing or malformed header as not written by the store", () => {
    for (const value of [undefined, "", "x", "5,0", "5,-1", "5,5", "5,2.5", "1e3"]) {
      expect(decodeLinks(value), String(value)).toBeUndefined();
    }
  });

  it("links a new message to the one before it and keeps at most MAX_LINKS", () => {
    expect(nextLinks(0, [])).toEqual([]);
    expect(nextLinks(7, [])).toEqual([7]);
    const long = Array.from({ length: MAX_LINKS }, (_, i) => 100 - i);
    const next = nextLinks(200, long);
    expect(next).toHaveLength(MAX_LINKS);
    expect(next.slice(0, 3)).toEqual([200, 100, 99]);
  });
});

describe("event-sourcing/jetstream event codec", () => {
  it("stores one event as an object and a batch as an array", () => {
    const one = new TextDecoder().decode(encodeEvents([event(1)]));
    expect(JSON.parse(one)).toEqual(event(1));
    const two = JSON.parse(new TextDecoder().decode(encodeEvents([event(1), event(2)])));
    expect(two).toEqual([event(1), event(2)]);
  });

  it("reads back by the same JSON rule that appends follow: a foreign __proto__ key is not history", () => {
    const raw = `{"id":"e","eventType":"T","actorId":"acc","version":1,"data":{"__proto__":{"x":1}},"timestamp":"2026-01-01T00:00:00.000Z"}`;
    const decoded = decodeEvents(encoder.encode(raw), "acc");
    expect(decoded).toEqual({
      ok: false,
      error: expect.stringMatching(/data\.__proto__: is a key named __proto__/),
    });
  });

  it("decodes only well-formed, consecutive events of the actor", () => {
    expect(decodeEvents(encodeEvents([event(1), event(2)]), "acc")).toEqual({
      ok: true,
      events: [event(1), event(2)],
    });
    const cases: [unknown, RegExp][] = [
      [[event(1), event(3)], /does not follow/],
      [[event(1, "other")], /belongs to actor "other"/],
      [{ ...event(1), timestamp: undefined }, /timestamp/],
      [{ ...event(1), version: "1" }, /version/],
      [[], /empty batch/],
    ];
    for (const [body, error] of cases) {
      const decoded = decodeEvents(encoder.encode(JSON.stringify(body)), "acc");
      expect(decoded.ok).toBe(false);
      expect(!decoded.ok && decoded.error).toMatch(error);
    }
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]);
    expect(decodeEvents(invalidUtf8, "acc")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/invalid JSON/),
    });
  });
});

describe("event-sourcing/jetstream history fold", () => {
  it("accepts the next version, reports repeats and jumps, and keeps going", () => {
    const fold = new HistoryFold("acc", 1);
    const bodies = [event(1), event(1), "nope", [event(2), event(3)], event(7), event(4)];
    const steps = bodies.map((body, i) => {
      const events: Event[] = [];
      const error = fold.add(message(i + 1, body), events);
      return { events, error };
    });
    expect(steps.map((s) => s.events.map((e) => e.version))).toEqual([
      [1],
      [],
      [],
      [2, 3],
      [],
      [4],
    ]);
    expect(steps.map((s) => s.error?.sequence)).toEqual([undefined, 2, 3, undefined, 5, undefined]);
    expect(steps[1]!.error?.error).toMatch(/version 1 is already stored/);
    expect(steps[4]!.error?.error).toMatch(/version 7 does not follow the latest stored version 3/);
    expect(steps[2]!.error?.raw).toBe("nope");
    expect(fold.latestVersion).toBe(4);
  });

  it("reports a store-written message that skips versions as a gap naming the missing versions, and goes on beyond it", () => {
    const written = (seq: number, body: unknown): StoredMessage => ({
      ...message(seq, body),
      header: (name) => (name === "Aether-Prev" ? String(seq - 1) : undefined),
    });
    const fold = new HistoryFold("acc", 1);
    const events: Event[] = [];
    const errors = [
      written(1, event(1)),
      written(2, event(2)),
      written(5, [event(5), event(6)]),
      written(6, event(7)),
    ].map((m) => fold.add(m, events));
    expect(events.map((e) => e.version)).toEqual([1, 2, 5, 6, 7]);
    expect(errors[2]).toMatchObject({ sequence: 5, missingVersions: { from: 3, to: 4 } });
    expect(errors[2]!.error).toMatch(/actor "acc" has a gap: versions 3–4 are missing/);
    expect(fold.latestVersion).toBe(7);
    // A history that no longer starts at version 1 (a limit discarded the oldest messages).
    const truncated = new HistoryFold("acc", 1);
    expect(truncated.add(written(40, event(12)), [])).toMatchObject({
      missingVersions: { from: 1, to: 11 },
    });
  });

  it("takes what a batch adds beyond the history, so a partly repeated batch cannot wedge it", () => {
    const fold = new HistoryFold("acc", 1);
    const events: Event[] = [];
    fold.add(message(1, [event(1), event(2)]), events);
    const error = fold.add(message(2, [event(2), event(3)]), events);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(error?.error).toMatch(/version 2 is already stored/);
  });

  it("returns only versions from fromVersion on, while still checking the rest", () => {
    const fold = new HistoryFold("acc", 3);
    const events: Event[] = [];
    for (const [i, v] of [1, 2, 3, 2, 4].entries()) fold.add(message(i + 1, event(v)), events);
    expect(events.map((e) => e.version)).toEqual([3, 4]);
  });
});

describe("event-sourcing/jetstream position cache", () => {
  it("remembers the newest head of the most recently used actors", () => {
    const cache = new PositionCache(2);
    cache.remember("a", { version: 2, seq: 20, links: [] });
    cache.remember("a", { version: 1, seq: 10, links: [] });
    expect(cache.get("a")?.version).toBe(2);
    cache.remember("b", { version: 1, seq: 30, links: [] });
    cache.get("a");
    cache.remember("c", { version: 1, seq: 40, links: [] });
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.version).toBe(2);
    const off = new PositionCache(0);
    off.remember("a", { version: 1, seq: 1, links: [] });
    expect(off.get("a")).toBeUndefined();
  });
});
