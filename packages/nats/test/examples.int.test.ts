import { expectReadmeToShow } from "@aether/test-support";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("nats: README example", () => {
  it("nats: examples/retryingRequest.ts answers once and gives up with a typed error", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--conditions=@aether/source", "--import", "tsx", "examples/retryingRequest.ts"],
      { cwd: packageDir, env: { ...process.env, NATS_URL: inject("natsUrl") } },
    );
    expect(stdout.trim().split("\n")).toEqual(["pong", "UNAVAILABLE true"]);
  });

  it("nats: the README shows the example verbatim", () => {
    expectReadmeToShow(
      new URL("../README.md", import.meta.url),
      new URL("../examples/retryingRequest.ts", import.meta.url),
    );
  });
});
