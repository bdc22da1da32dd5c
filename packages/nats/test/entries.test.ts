import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Imports a specifier in a fresh Node process where @nats-io/jetstream cannot be resolved. */
function importWithoutJetStream(specifier: string) {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).sort().join(","));`;
  return run(
    process.execPath,
    [
      "--conditions=@aether/source",
      "--import",
      "tsx",
      "--import",
      "./test/fixtures/forbidJetStream.mjs",
      "--input-type=module",
      "--eval",
      script,
    ],
    { cwd: packageDir },
  );
}

describe("nats: package entries", () => {
  it("nats: the root entry loads with core NATS alone, as the event bus installs it", async () => {
    const { stdout } = await importWithoutJetStream("@aether/nats");
    expect(stdout.trim()).toBe(
      "Deadline,EXPECTED_SEQUENCE_RACE_FIXED,FSYNC_PER_ACK,InboxRequester,checkPayloadSize,connectionInbox,integerOption,isServerVersionBefore,parseServerVersion,retrying,toAetherError",
    );
  });

  it("nats: the ./jetstream entry does need @nats-io/jetstream (so the check above can fail)", async () => {
    await expect(importWithoutJetStream("@aether/nats/jetstream")).rejects.toMatchObject({
      stderr: expect.stringContaining("imported @nats-io/jetstream"),
    });
  });
});
