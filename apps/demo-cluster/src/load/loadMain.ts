import { loadConfig } from "./loadConfig.js";
import { runHttpLoad } from "./httpLoad.js";
import type { LoadProgress } from "./loadRun.js";

// `pnpm --filter @aether/demo-cluster load -- --rate 2000 --duration 30s`
let config;
try {
  config = loadConfig(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const line = (p: LoadProgress) =>
  `${(p.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${String(p.started).padStart(8)} sent  ` +
  `${String(Math.round(p.ratePerSecond)).padStart(6)}/s  p50 ${p.p50Ms.toFixed(1).padStart(6)} ms  ` +
  `p99 ${p.p99Ms.toFixed(1).padStart(7)} ms  errors ${p.failed}  in flight ${p.inFlight}`;

console.log(
  `Load: ${config.rate} transfers/s for ${config.duration / 1000} s between ${config.accounts} accounts, via ${config.url}`,
);
const summary = await runHttpLoad(config, (progress) => {
  process.stdout.write(process.stdout.isTTY ? `\r${line(progress)}` : `${line(progress)}\n`);
});
if (process.stdout.isTTY) process.stdout.write("\n");
const p = summary.progress;
const rows: [string, string][] = [
  ["nodes", String(summary.nodes.length)],
  ["requested rate", `${config.rate}/s for ${config.duration / 1000} s`],
  ["transfers sent", String(p.started)],
  ["completed", String(p.completed)],
  ["refunded (deposit refused)", String(p.refunded)],
  ["refused (insufficient funds)", String(p.refused)],
  ["failed", String(p.failed)],
  ["skipped (over max in flight)", String(p.skipped)],
  ["achieved rate", `${Math.round(p.ratePerSecond)}/s`],
  ["latency p50", `${p.p50Ms.toFixed(1)} ms`],
  ["latency p99", `${p.p99Ms.toFixed(1)} ms`],
  ["total money before", String(summary.before.total)],
  ["total money after", String(summary.after.total)],
  ["in transit after", String(summary.after.inTransit)],
  ["money conserved", summary.moneyConserved ? "yes" : "no"],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`\n| ${"".padEnd(width)} | result |\n| ${"-".repeat(width)} | ------ |`);
for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value} |`);
process.exit(summary.moneyConserved && p.failed === 0 ? 0 : 1);
