import type { UserConfig } from "vitest/config";

/** The vitest config of a workspace package: `unit` and `int` (real nats-server) projects. */
export function aetherVitestConfig(): UserConfig;
