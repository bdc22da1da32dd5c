import { ManualClock, isoNow, systemClock } from "@aether/kernel";
import { describe, expect, it } from "vitest";

describe("kernel: ManualClock", () => {
  it("kernel: starts at 0 by default, or at a number or a Date", () => {
    expect(new ManualClock().now()).toBe(0);
    expect(new ManualClock(1_000).now()).toBe(1_000);
    expect(new ManualClock(new Date("2024-01-01T00:00:00Z")).now()).toBe(Date.UTC(2024, 0, 1));
  });

  it("kernel: moves only when told to", () => {
    const clock = new ManualClock(100);
    expect(clock.now()).toBe(100);
    expect(clock.now()).toBe(100);
    clock.advance(50);
    expect(clock.now()).toBe(150);
    clock.advance(0);
    expect(clock.now()).toBe(150);
    clock.set(10);
    expect(clock.now()).toBe(10);
    clock.set(new Date(86_400_000));
    expect(clock.now()).toBe(86_400_000);
  });

  it("kernel: refuses to go backwards or by NaN through advance", () => {
    const clock = new ManualClock(5);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(/ms must be >= 0, got NaN/);
    expect(clock.now()).toBe(5);
  });

  it("kernel: isoNow formats the clock's time", () => {
    expect(isoNow(new ManualClock(Date.UTC(2024, 4, 1, 12)))).toBe("2024-05-01T12:00:00.000Z");
  });

  it("kernel: isoNow follows each clock, even when calls alternate between clocks", () => {
    const a = new ManualClock(0);
    const b = new ManualClock(1_000);
    expect(isoNow(a)).toBe("1970-01-01T00:00:00.000Z");
    expect(isoNow(b)).toBe("1970-01-01T00:00:01.000Z");
    expect(isoNow(a)).toBe("1970-01-01T00:00:00.000Z");
    a.advance(1);
    expect(isoNow(a)).toBe("1970-01-01T00:00:00.001Z");
    expect(isoNow(a)).toBe("1970-01-01T00:00:00.001Z");
  });

  it("kernel: systemClock follows Date.now", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
