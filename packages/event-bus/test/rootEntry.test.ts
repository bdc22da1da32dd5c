import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Imports a specifier in a fresh Node process where @nats-io/* cannot be resolved. */
function importWithoutNats(specifier: string) {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).sort().join(","));`;
  return run(
    process.execPath,
    [
      "--conditions=@aether/source",
      "--import",
      "tsx",
      "--import",
      "./test/fixtures/forbidNats.mjs",
      "--input-type=module",
      "--eval",
      script,
    ],
    { cwd: packageDir },
  );
}

describe("event-bus: package entries", () => {
  it("the root entry loads without any @nats-io package", async () => {
    const { stdout } = await importWithoutNats("@aether/event-bus");
    expect(stdout.trim()).toBe("DEFAULT_BUFFER_SIZE,DOMAIN_EVENTS_NAMESPACE,EventBus");
  });

  it("the ./nats entry does need them (so the check above can fail)", async () => {
    await expect(importWithoutNats("@aether/event-bus/nats")).rejects.toMatchObject({
      stderr: expect.stringContaining("imported @nats-io/nats-core"),
    });
  });
});
