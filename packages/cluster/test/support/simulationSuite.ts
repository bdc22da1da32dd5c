import { describe, expect, it } from "vitest";
import { runSimulation } from "./simulation.js";

/**
 * Runs seeds `from`..`to` and the `regressions` (or only `SIM_SEED`); a failure names the seed, the
 * command that replays it, and the tail of its trace.
 */
export function describeSimulationSeeds(
  from: number,
  to: number,
  regressions: readonly number[] = [],
): void {
  const single = process.env["SIM_SEED"];
  const seeds =
    single === undefined
      ? [...Array.from({ length: to - from + 1 }, (_, i) => from + i), ...regressions]
      : [Number(single)];
  const extra = regressions.length === 0 ? "" : ` and ${regressions.join(", ")}`;
  describe(`cluster simulation, seeds ${from}–${to}${extra}`, () => {
    it(
      "keeps at most one acting leader and one server per shard, then converges",
      { timeout: 120_000 },
      async () => {
        let steps = 0;
        let elections = 0;
        for (const seed of seeds) {
          const lines: string[] = [];
          try {
            const result = await runSimulation({ seed, trace: (line) => lines.push(line) });
            steps += result.steps;
            elections += result.elections;
          } catch (error) {
            throw new Error(
              `${String(error)}\nreplay: SIM_SEED=${seed} npx vitest run test/simulation\n${lines.slice(-40).join("\n")}`,
            );
          }
        }
        expect(steps).toBeGreaterThan(seeds.length * 100);
        expect(elections).toBeGreaterThanOrEqual(seeds.length);
      },
    );
  });
}
