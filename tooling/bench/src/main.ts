// Runs every `src/benches/*.bench.ts` in turn (or those whose file name contains an argument):
// each exports a default async function that measures and prints its own tables.
import { readdirSync } from "node:fs";
import { progress } from "./harness.js";

const dir = new URL("./benches/", import.meta.url);
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

process.stdout.write(
  `# Aether benchmarks\n\nNode ${process.version}, ${new Date().toISOString()}\n`,
);
for (const file of files) {
  progress(`running ${file}`);
  const module = (await import(new URL(file, dir).href)) as { default: () => Promise<void> };
  await module.default();
}
