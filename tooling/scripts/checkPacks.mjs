#!/usr/bin/env node
// Packs every published package as a release would (`pnpm pack`, whose prepack builds `dist`
// from scratch) and checks each tarball: publint --strict for the manifest and files, and
// @arethetypeswrong/cli with the ESM-only profile for what TypeScript resolves through `exports`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const out = mkdtempSync(join(tmpdir(), "aether-packs-"));
let failed = 0;

try {
  for (const entry of readdirSync(join(root, "packages"), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, "packages", entry.name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (manifest.private === true) continue;
    execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: dir, stdio: "ignore" });
    const tarball = join(
      out,
      `${manifest.name.slice(1).replace("/", "-")}-${manifest.version}.tgz`,
    );
    for (const [tool, args] of [
      ["publint", [tarball, "--strict"]],
      ["attw", [tarball, "--profile", "esm-only", "--format", "table-flipped"]],
    ]) {
      try {
        execFileSync(bin(tool), args, { cwd: root, stdio: "pipe", encoding: "utf8" });
        console.log(`pack check: ${manifest.name} ${tool} ok`);
      } catch (error) {
        failed++;
        console.error(
          `pack check: ${manifest.name} ${tool} FAILED\n${error.stdout ?? ""}${error.stderr ?? ""}`,
        );
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`pack check: ${failed} check(s) failed`);
  process.exit(1);
}
