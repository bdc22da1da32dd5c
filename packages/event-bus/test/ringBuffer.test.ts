import { describe, expect, it } from "vitest";
import { RingBuffer } from "../src/internal/ringBuffer.js";

describe("event-bus: RingBuffer", () => {
  it("is FIFO across wrap-arounds and growth, and refuses past capacity", () => {
    const ring = new RingBuffer<number>(40);
    const model: number[] = [];
    let next = 0;
    // A deterministic mix of pushes and shifts that wraps the storage while it grows.
    for (let step = 0; step < 2_000; step++) {
      if ((step * 7) % 5 < 3) {
        const accepted = ring.push(next);
        expect(accepted).toBe(model.length < 40);
        if (accepted) model.push(next);
        next++;
      } else {
        expect(ring.shift()).toBe(model.shift());
      }
      expect(ring.size).toBe(model.length);
    }
  });

  it("releases storage on clear and stays usable", () => {
    const ring = new RingBuffer<string>(3);
    ring.push("a");
    ring.push("b");
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.shift()).toBeUndefined();
    expect(ring.push("c")).toBe(true);
    expect(ring.shift()).toBe("c");
  });
});
