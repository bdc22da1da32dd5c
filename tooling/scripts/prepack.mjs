#!/usr/bin/env node
// `prepack` of every published package (its cwd): packing or publishing always builds `dist` from
// scratch, so a tarball can never ship without it or with files of a removed module. npm is
// refused: it would ship `workspace:^` ranges and ignore `publishConfig`, so its tarball would not
// install; pnpm rewrites both.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

const agent = process.env["npm_config_user_agent"] ?? "";
if (!agent.startsWith("pnpm/")) {
  process.stderr.write(
    `Refusing to pack with ${agent.split(" ")[0] || "this tool"}: Aether's packages depend on each other through workspace:^ ranges, which only pnpm rewrites into versions. Use \`pnpm pack\` or \`pnpm release\` (changeset publish).\n`,
  );
  process.exit(1);
}
rmSync("dist", { recursive: true, force: true });
const build = spawnSync("tsc", ["-p", "tsconfig.build.json"], { stdio: "inherit", shell: false });
if (build.error) throw build.error;
process.exit(build.status ?? 1);
