import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trackedFiles, workspacePackages, workspaceRoot } from "./workspace.js";

// The task hashes turbo would use, read with --dry=json in a copy of the tracked files, so the
// test can change a package's source without touching the real tree.
let copy: string;
const turbo = join(workspaceRoot, "node_modules/.bin/turbo");
const packages = workspacePackages();
const checked = packages.filter((pkg) => existsSync(join(workspaceRoot, pkg.dir, "src/index.ts")));

function taskHashes(): Map<string, string> {
  const out = execFileSync(turbo, ["run", "typecheck", "lint", "--dry=json"], {
    cwd: copy,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  const plan = JSON.parse(out) as { tasks: { taskId: string; hash: string }[] };
  return new Map(plan.tasks.map((task) => [task.taskId, task.hash]));
}

/** The package and every package that depends on it, directly or not. */
function withDependents(name: string): Set<string> {
  const result = new Set([name]);
  for (let grew = true; grew;) {
    grew = false;
    for (const pkg of packages) {
      if (result.has(pkg.name)) continue;
      if (pkg.workspaceDependencies.some((dep) => result.has(dep))) {
        result.add(pkg.name);
        grew = true;
      }
    }
  }
  return result;
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "aether-turbo-"));
  for (const file of trackedFiles()) {
    const from = join(workspaceRoot, file);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(from, join(copy, file));
  }
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe("workspace: turbo cache keys", () => {
  it.each(checked.map((pkg) => [pkg.name, pkg] as const))(
    "workspace: a change to %s re-runs typecheck and lint of it and of everything that imports it, and nothing else",
    (_name, pkg) => {
      const before = taskHashes();
      const file = join(copy, pkg.dir, "src/index.ts");
      const original = readFileSync(file, "utf8");
      appendFileSync(file, "\nexport type __CacheProbe = string;\n");
      let after: Map<string, string>;
      try {
        after = taskHashes();
      } finally {
        writeFileSync(file, original);
      }
      const expected = withDependents(pkg.name);
      for (const task of ["typecheck", "lint"]) {
        const changed = [...before.keys()]
          .filter((id) => id.endsWith(`#${task}`) && after.get(id) !== before.get(id))
          .map((id) => id.slice(0, -`#${task}`.length))
          .sort();
        const owners = [...expected].filter((name) => before.has(`${name}#${task}`)).sort();
        expect(changed, task).toEqual(owners);
      }
    },
  );
});
