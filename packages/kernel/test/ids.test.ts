import { ManualClock, createId, sequentialIdGenerator, uuidv7Generator } from "@aether/kernel";
import { describe, expect, it } from "vitest";

const uuidFormat = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function timestampOf(uuid: string): number {
  return Number.parseInt(uuid.replaceAll("-", "").slice(0, 12), 16);
}

describe("kernel: uuidv7Generator", () => {
  it("kernel: produces lowercase 8-4-4-4-12 hex", () => {
    const next = uuidv7Generator();
    for (let i = 0; i < 100; i++) expect(next()).toMatch(uuidFormat);
  });

  it("kernel: sets version 7 and the RFC 9562 variant", () => {
    const next = uuidv7Generator();
    for (let i = 0; i < 1000; i++) {
      const id = next();
      expect(id[14]).toBe("7");
      expect("89ab").toContain(id[19]);
    }
  });

  it("kernel: encodes the clock's milliseconds big-endian in the first 48 bits", () => {
    const ms = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
    const id = uuidv7Generator(new ManualClock(ms))();
    expect(timestampOf(id)).toBe(ms);
    expect(id.slice(0, 13)).toBe(
      `${ms.toString(16).padStart(12, "0").slice(0, 8)}-${ms.toString(16).padStart(12, "0").slice(8)}`,
    );
    expect(timestampOf(uuidv7Generator(new ManualClock(0))())).toBe(0);
    expect(timestampOf(uuidv7Generator(new ManualClock(2 ** 48 - 1))())).toBe(2 ** 48 - 1);
  });

  it("kernel: ids sort by creation time when the clock moves", () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const next = uuidv7Generator(clock);
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      ids.push(next());
      clock.advance(1 + (i % 7) * 1000);
    }
    expect([...ids].sort()).toEqual(ids);
    // Crossing a byte boundary of the timestamp still sorts.
    clock.set(0xff);
    const a = next();
    clock.set(0x100);
    expect(next() > a).toBe(true);
  });

  it("kernel: 10,000 ids in the same millisecond are all distinct", () => {
    const next = uuidv7Generator(new ManualClock(1_700_000_000_000));
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(next());
    expect(ids.size).toBe(10_000);
  });

  it("kernel: createId is a UUIDv7 on the system clock", () => {
    const before = Date.now();
    const id = createId();
    expect(id).toMatch(uuidFormat);
    expect(id[14]).toBe("7");
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(Date.now());
  });
});

describe("kernel: sequentialIdGenerator", () => {
  it("kernel: counts from 1 with the prefix", () => {
    const next = sequentialIdGenerator("evt");
    expect([next(), next(), next()]).toEqual(["evt-1", "evt-2", "evt-3"]);
  });

  it("kernel: defaults to the id prefix and keeps generators independent", () => {
    const a = sequentialIdGenerator();
    const b = sequentialIdGenerator();
    expect(a()).toBe("id-1");
    expect(a()).toBe("id-2");
    expect(b()).toBe("id-1");
  });
});
