import { accessSync, constants } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const INSTALL_HINT =
  "chromium was not found: install Debian's package (`apt-get install -y chromium`) or set CHROMIUM_BIN to its path";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The machine's chromium (Debian's package; no browser download at test time). Debian's
 * /usr/bin/chromium is a shell wrapper, so the real binary under /usr/lib is preferred.
 */
export function findChromium(): string {
  const explicit = process.env["CHROMIUM_BIN"];
  if (explicit !== undefined && explicit !== "") {
    if (executable(explicit)) return explicit;
    throw new Error(`CHROMIUM_BIN=${explicit} is not an executable file. ${INSTALL_HINT}`);
  }
  const found = [
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ].find(executable);
  if (found === undefined) throw new Error(INSTALL_HINT);
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    // Root in a container has no user namespace for the sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
