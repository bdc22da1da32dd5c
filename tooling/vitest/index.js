// @ts-check
// Plain JavaScript: vitest loads config files through Node, which cannot import .ts from node_modules.
import { defineConfig } from "vitest/config";

const natsGlobalSetup = new URL("../test-support/src/natsGlobalSetup.ts", import.meta.url).pathname;
const registerNatsTransport = new URL("./registerNatsTransport.js", import.meta.url).pathname;

/**
 * Two projects per package: `unit` (`test/**\/*.test.ts`) and `int` (`test/**\/*.int.test.ts`), the
 * latter with one real nats-server started for the run and its URL provided as `natsUrl`.
 */
export function aetherVitestConfig() {
  return defineConfig({
    resolve: { conditions: ["@aether/source"] },
    ssr: { resolve: { conditions: ["@aether/source"] } },
    test: {
      passWithNoTests: true,
      projects: [
        {
          extends: true,
          test: {
            name: "unit",
            include: ["test/**/*.test.ts"],
            exclude: ["test/**/*.int.test.ts"],
            // A hang detector, not a speed check: turbo runs every package's suite at once on the
            // 2-core CI machine, where a test that spawns Node (entry checks) takes several seconds.
            testTimeout: 30_000,
          },
        },
        {
          extends: true,
          test: {
            name: "int",
            include: ["test/**/*.int.test.ts"],
            globalSetup: [natsGlobalSetup],
            setupFiles: [registerNatsTransport],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  });
}
