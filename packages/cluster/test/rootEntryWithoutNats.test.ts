import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importGraphOf } from "@aether/test-support";
import { describe, expect, it } from "vitest";

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

describe("cluster root entry", () => {
  it("loads without any NATS client package installed", () => {
    const { files, packages } = importGraphOf(resolve(srcDir, "index.ts"));
    expect(files.size).toBeGreaterThan(5);
    expect(
      [...packages].filter((name) => name.startsWith("@nats-io/") || name === "@aether/nats"),
    ).toEqual([]);
    expect([...files].some((file) => file.includes("/nats/"))).toBe(false);
  });

  it("is told apart from the nats entry, which does use NATS", () => {
    const { packages } = importGraphOf(resolve(srcDir, "nats/index.ts"));
    // Guards the walker itself: if it stopped seeing imports, the test above would pass vacuously.
    expect([...packages].some((name) => name.startsWith("@nats-io/"))).toBe(true);
  });
});
