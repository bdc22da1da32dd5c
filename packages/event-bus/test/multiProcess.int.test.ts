import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { NatsEventBus } from "@aether/event-bus/nats";
import { natsTestContext, uniqueName, waitFor } from "@aether/test-support";
import { afterEach, describe, expect, inject, it } from "vitest";
import { makeEvent } from "./fixtures/events.js";
import { record, settle } from "./fixtures/nats.js";

const natsUrl = inject("natsUrl");
const packageDir = fileURLToPath(new URL("..", import.meta.url));

interface EchoNode {
  child: ChildProcessWithoutNullStreams;
  nextLine(): Promise<string>;
  stderr(): string;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function startEchoNode(args: string[]): EchoNode {
  const child = spawn(
    process.execPath,
    ["--conditions=@aether/source", "--import", "tsx", "test/fixtures/echoNode.ts", ...args],
    { cwd: packageDir },
  );
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    stderr: () => stderr,
    async nextLine() {
      const result = await lines.next();
      if (result.done === true) throw new Error(`echo node exited: ${stderr}`);
      return result.value;
    },
  };
}

describe("event-bus: NatsEventBus with a node in another process", () => {
  it("three nodes in two processes: isolation, exactly-once delivery, no self-echo", async () => {
    const prefix = uniqueName("mp").replace(/[^A-Za-z0-9-]/g, "-");
    const ns = (name: string) => `${prefix}.${name}`;
    const node = startEchoNode([natsUrl, "child-c", ns("tenant-a"), ns("echo")]);
    expect(await node.nextLine()).toBe("ready");

    await using t = await natsTestContext({ servers: natsUrl });
    const [ncA, ncB] = [await t.connect(), await t.connect()];
    const a = new NatsEventBus(ncA, { nodeId: "parent-a" });
    const b = new NatsEventBus(ncB, { nodeId: "parent-b" });
    const tenantAtB = record(b, ns("tenant-a"));
    const echoesAtA = record(a, ns("echo"));
    const echoesAtB = record(b, ns("echo"));
    await settle(a, b);

    for (const other of ["tenant-b", "tenant-a.x", "tenant-ab"]) a.publish(ns(other), makeEvent());
    const fromA = Array.from({ length: 5 }, () => makeEvent());
    const fromB = Array.from({ length: 5 }, () => makeEvent());
    for (const event of fromA) a.publish(ns("tenant-a"), event);
    for (const event of fromB) b.publish(ns("tenant-a"), event);
    const expected = [...fromA, ...fromB].map((event) => event.id).sort();

    await waitFor(() => echoesAtA.events.length >= 10 && echoesAtB.events.length >= 10, {
      timeoutMs: 20_000,
      description: "echoes from the other process",
    });
    await settle(a, b);
    for (const echoes of [echoesAtA, echoesAtB]) {
      expect(echoes.events.map((event) => event.metadata?.["echoOf"]).sort()).toEqual(expected);
    }
    expect(tenantAtB.ids().sort()).toEqual(expected);

    node.child.stdin.write("report\n");
    const report = JSON.parse(await node.nextLine()) as {
      received: string[];
      ownEchoes: string[];
      stats: { undecodable: number };
    };
    expect([...report.received].sort()).toEqual(expected);
    expect(report.ownEchoes.sort()).toEqual(expected.map((id) => `child-c:${id}`).sort());
    expect(report.stats.undecodable).toBe(0);

    node.child.stdin.write("exit\n");
    const [code] = (await once(node.child, "exit")) as [number | null];
    expect(code, node.stderr()).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});
