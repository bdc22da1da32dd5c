import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("event-bus: two-node example", () => {
  it("event-bus: examples/twoNodes.ts runs against a real server as the README says", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--conditions=@aether/source", "--import", "tsx", "examples/twoNodes.ts"],
      { cwd: packageDir, env: { ...process.env, NATS_URL: inject("natsUrl") } },
    );
    expect(stdout.trim().split("\n")).toEqual([
      "node-a: OrderPlaced order-a1 (its own, once)",
      "node-b: OrderPlaced order-a1 (from node-a)",
    ]);
  });
});
