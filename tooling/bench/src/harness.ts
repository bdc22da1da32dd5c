import { performance } from "node:perf_hooks";

export interface BenchResult {
  name: string;
  ops: number;
  ms: number;
  opsPerSec: number;
  /** Present when measured per operation. */
  p50Ms?: number;
  p99Ms?: number;
}

/** Times `body`, which performs `ops` operations in total. */
export async function measureThroughput(
  name: string,
  ops: number,
  body: () => unknown,
): Promise<BenchResult> {
  const start = performance.now();
  await body();
  const ms = performance.now() - start;
  return { name, ops, ms, opsPerSec: (ops / ms) * 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** Times `op` one call at a time, `samples` times, and keeps p50/p99. */
export async function measureLatency(
  name: string,
  samples: number,
  op: (index: number) => unknown,
): Promise<BenchResult> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await op(i);
    latencies.push(performance.now() - t0);
  }
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return {
    name,
    ops: samples,
    ms,
    opsPerSec: (samples / ms) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export interface Comparison {
  /** What was measured, e.g. "saveEvent, 1 actor, sequential". */
  case: string;
  aether: BenchResult;
  floor: BenchResult;
  /** The target, e.g. ">= 5x"; printed beside the ratio. */
  aim?: string;
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const fixed = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(3));

/**
 * Prints a markdown table: Aether beside the floor it runs on, and the ratio of their throughput
 * (above 1 means Aether is faster).
 */
export function printComparisons(title: string, comparisons: Comparison[]): void {
  const lines = [
    `\n### ${title}\n`,
    "| case | Aether ops/s | Aether p50 ms | floor | floor ops/s | floor p50 ms | ratio | aim |",
    "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
  ];
  for (const c of comparisons) {
    const ratio = c.aether.opsPerSec / c.floor.opsPerSec;
    lines.push(
      `| ${c.case} | ${number.format(c.aether.opsPerSec)} | ${fixed(c.aether.p50Ms)} | ${c.floor.name} | ${number.format(c.floor.opsPerSec)} | ${fixed(c.floor.p50Ms)} | ${ratio.toFixed(2)}x | ${c.aim ?? ""} |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Prints a table of results that have no floor to compare with. */
export function printResults(title: string, results: BenchResult[]): void {
  const lines = [
    `\n### ${title}\n`,
    "| case | ops/s | p50 ms | p99 ms |",
    "| --- | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.name} | ${number.format(r.opsPerSec)} | ${fixed(r.p50Ms)} | ${fixed(r.p99Ms)} |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Progress line on stderr, so the tables on stdout stay clean. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
