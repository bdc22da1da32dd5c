import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** Every module the entry reaches through relative imports, and every bare specifier they import. */
function walk(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(
      /(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith("."))
        pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe("cluster root entry", () => {
  it("loads without any NATS client package installed", () => {
    const { files, packages } = walk(resolve(srcDir, "index.ts"));
    expect(files.size).toBeGreaterThan(5);
    expect(
      [...packages].filter((name) => name.startsWith("@nats-io/") || name === "@aether/nats"),
    ).toEqual([]);
    expect([...files].some((file) => file.includes("/nats/"))).toBe(false);
  });

  it("is told apart from the nats entry, which does use NATS", () => {
    const { packages } = walk(resolve(srcDir, "nats/index.ts"));
    // Guards the walker itself: if it stopped seeing imports, the test above would pass vacuously.
    expect([...packages].some((name) => name.startsWith("@nats-io/"))).toBe(true);
  });
});
