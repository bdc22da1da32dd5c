import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspacePackages, workspaceRoot } from "./workspace.js";

// Installs the published packages as a user would: from the tarballs `pnpm pack` makes (prepack
// builds them), with npm, into a project outside the workspace. Only the npm registry is reached,
// for the packages' own dependencies (zod, pino) and @types/node.
const run = promisify(execFile);
const published = workspacePackages().filter(
  (pkg) => !pkg.private && pkg.dir.startsWith("packages/"),
);
let dir: string;
let project: string;
const tarballs = new Map<string, string>();

const exampleSource = join(workspaceRoot, "packages/event-sourcing/examples/quickStart.ts");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aether-tarballs-"));
  const packed = join(dir, "tarballs");
  project = join(dir, "project");
  mkdirSync(packed);
  mkdirSync(project);
  await Promise.all(
    published.map((pkg) =>
      run("pnpm", ["pack", "--pack-destination", packed], { cwd: join(workspaceRoot, pkg.dir) }),
    ),
  );
  for (const file of readdirSync(packed)) {
    const manifest = published.find(
      (pkg) => file === `${pkg.name.slice(1).replace("/", "-")}-${version(pkg.dir)}.tgz`,
    );
    if (manifest !== undefined) tarballs.set(manifest.name, `file:../tarballs/${file}`);
  }
  const dependencies = Object.fromEntries(tarballs);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "aether-tarball-smoke",
      private: true,
      type: "module",
      dependencies,
      devDependencies: { "@types/node": "~20.19.0" },
      // The packages' own ranges on each other resolve to these tarballs, not to the registry.
      overrides: Object.fromEntries([...tarballs.keys()].map((name) => [name, `$${name}`])),
    }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project });
  const example = readFileSync(exampleSource, "utf8");
  writeFileSync(join(project, "quickStart.ts"), example);
  const { outputText } = ts.transpileModule(example, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(project, "quickStart.mjs"), outputText);
}, 240_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function version(pkgDir: string): string {
  const manifest = JSON.parse(
    readFileSync(join(workspaceRoot, pkgDir, "package.json"), "utf8"),
  ) as {
    version: string;
  };
  return manifest.version;
}

describe("workspace: the packed tarballs, installed outside the workspace", () => {
  it("workspace: every published package packs, with dist and without workspace: ranges", () => {
    expect([...tarballs.keys()].sort()).toEqual(published.map((pkg) => pkg.name).sort());
    for (const name of tarballs.keys()) {
      const installed = join(project, "node_modules", name);
      const manifest = readFileSync(join(installed, "package.json"), "utf8");
      expect(manifest, name).not.toContain("workspace:");
      expect(readdirSync(join(installed, "dist")), name).toContain("index.js");
    }
  });

  it("workspace: npm pack is refused, saying why, so no tarball ships workspace: ranges", async () => {
    // As a user types it in a shell: not under the pnpm that runs this suite, whose user agent
    // npm would otherwise pass on to the prepack script.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
    );
    const packing = run("npm", ["pack", "--pack-destination", dir], {
      cwd: join(workspaceRoot, "packages/occ"),
      env,
    });
    await expect(packing).rejects.toMatchObject({
      stderr: expect.stringContaining("only pnpm rewrites into versions"),
    });
  }, 60_000);

  it("workspace: the in-memory quick start runs on the installed packages, with no NATS client installed", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "--eval",
        'const { result } = await import("./quickStart.mjs"); console.log(JSON.stringify(result));',
      ],
      { cwd: project },
    );
    console.info(
      `packed-tarball smoke test: installed ${[...tarballs.values()].map((spec) => spec.slice("file:../tarballs/".length)).join(", ")}; quickStart result ${stdout.trim()}`,
    );
    expect(JSON.parse(stdout)).toEqual({ items: ["apple", "pear"], version: 2 });
    expect(readdirSync(join(project, "node_modules"))).not.toContain("@nats-io");
  });

  it("workspace: the quick start type-checks against the installed types, @types/node included", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["quickStart.ts"],
      }),
    );
    const tsc = join(workspaceRoot, "node_modules/typescript/bin/tsc");
    await expect(run(process.execPath, [tsc, "-p", "."], { cwd: project })).resolves.toBeDefined();
  }, 120_000);
});
