import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { JetStreamEventStore } from "@aether/event-sourcing/jetstream";
import { connectTo, uniqueName } from "@aether/test-support";
import { describe, expect, inject, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/racingWriter.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("..", import.meta.url));

interface WriterReport {
  writerId: string;
  won: number[];
  conflicts: number;
}

interface Writer {
  ready: Promise<void>;
  report: Promise<WriterReport>;
  go(): void;
}

function startWriter(args: string[]): Writer {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@aether/source", fixture, ...args],
    { cwd: packageDir, stdio: "pipe" },
  );
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const report = new Promise<WriterReport>((resolve, reject) => {
    child.once("exit", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as WriterReport);
      else reject(new Error(`writer ${args[3]} exited with ${code}: ${stderr || stdout}`));
    });
  });
  // A writer that dies before it is ready must fail the test, not hang it.
  const readyOrDead = Promise.race([ready, report.then(() => undefined)]);
  return { ready: readyOrDead, report, go: () => child.stdin.end("go\n") };
}

describe("JetStreamEventStore with writers in separate OS processes", () => {
  it(
    "gives every version to exactly one writer: no gaps, no duplicates",
    { timeout: 90_000 },
    async () => {
      const url = inject("natsUrl");
      const namespace = uniqueName("race");
      const writers = 4;
      const perWriter = 25;
      const children = Array.from({ length: writers }, (_, i) =>
        startWriter([url, namespace, "hot-actor", `w${i}`, String(perWriter)]),
      );
      await Promise.all(children.map((child) => child.ready));
      for (const child of children) child.go();
      const reports = await Promise.all(children.map((child) => child.report));

      const total = writers * perWriter;
      const won = reports.flatMap((report) => report.won).sort((a, b) => a - b);
      expect(won).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      const nc = await connectTo(url);
      try {
        const store = new JetStreamEventStore(nc, { namespace });
        const replay = await store.getEventsWithErrors("hot-actor");
        expect(replay.errors).toEqual([]);
        expect(replay.events.map((e) => e.version)).toEqual(won);
        for (const report of reports) {
          const stored = replay.events.filter(
            (e) => (e.data as { writerId: string }).writerId === report.writerId,
          );
          expect(stored.map((e) => e.version)).toEqual(report.won);
        }
        const conflicts = reports.reduce((sum, report) => sum + report.conflicts, 0);
        console.info(
          `racing writers: ${total} appends won, ${conflicts} conflicts refused by the server`,
        );
      } finally {
        await nc.close();
      }
    },
  );
});
