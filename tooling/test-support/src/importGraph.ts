import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface ImportGraph {
  /** Every source file reached through relative imports, the entry included. */
  files: Set<string>;
  /** Every bare specifier those files import (packages). */
  packages: Set<string>;
}

/**
 * What an entry module pulls in, read from the source: lets a test show that an entry stays free of
 * a package (the root entries of NATS-backed packages must load without `@nats-io/*` installed).
 */
export function importGraphOf(entry: string): ImportGraph {
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
