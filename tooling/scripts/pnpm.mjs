#!/usr/bin/env node
// Lets `npm test`, `npm run demo` and `npm run bench` work on a machine that has only Node.js and
// npm: it uses the pnpm pinned in package.json (fetching it through npx when it is not installed),
// installs the workspace when node_modules is missing or older than the lock file, then runs
// `pnpm <args>`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { packageManager } = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
const pinnedVersion = packageManager.split("@")[1];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpm() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (probe.status === 0 && probe.stdout.trim() === pinnedVersion) return ["pnpm"];
  return ["npx", "--yes", packageManager];
}

const [command, ...prefix] = pnpm();
const marker = `${root}/node_modules/.modules.yaml`;
const lock = `${root}/pnpm-lock.yaml`;
const stale =
  !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.log(`aether: installing the workspace with ${packageManager} …`);
  const status = run(command, [...prefix, "install", "--frozen-lockfile"]);
  if (status !== 0) process.exit(status);
}
process.exit(run(command, [...prefix, ...process.argv.slice(2)]));
