import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const workspaceRoot = fileURLToPath(new URL("../../..", import.meta.url));

export interface WorkspacePackage {
  name: string;
  /** Relative to the workspace root, e.g. `packages/kernel`. */
  dir: string;
  private: boolean;
  /** Names of the workspace packages it depends on, devDependencies included. */
  workspaceDependencies: string[];
}

/** Every package under packages/, apps/ and tooling/, read from its package.json. */
export function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ["packages", "apps", "tooling"]) {
    for (const entry of readdirSync(join(workspaceRoot, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = `${group}/${entry.name}`;
      let manifest: {
        name: string;
        private?: boolean;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      try {
        manifest = JSON.parse(readFileSync(join(workspaceRoot, dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      const all = { ...manifest.dependencies, ...manifest.devDependencies };
      found.push({
        name: manifest.name,
        dir,
        private: manifest.private === true,
        workspaceDependencies: Object.entries(all)
          .filter(([, range]) => range.startsWith("workspace:"))
          .map(([name]) => name),
      });
    }
  }
  return found;
}

/** The files git tracks, relative to the workspace root. */
export function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: workspaceRoot, encoding: "utf8" })
    .split("\0")
    .filter((file) => file.length > 0);
}
