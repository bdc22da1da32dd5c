import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const INSTALL_HINT =
  "nats-server was not found: install it (Debian/Ubuntu: `apt-get install -y nats-server`) or set NATS_SERVER_BIN to its path";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds nats-server: NATS_SERVER_BIN, then PATH, then Debian's /usr/sbin. Throws one clear line. */
export function findNatsServerBinary(): string {
  const explicit = process.env["NATS_SERVER_BIN"];
  if (explicit !== undefined && explicit !== "") {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`NATS_SERVER_BIN=${explicit} is not an executable file. ${INSTALL_HINT}`);
  }
  const candidates = (process.env["PATH"] ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, "nats-server"));
  candidates.push("/usr/sbin/nats-server", "/usr/local/bin/nats-server");
  const found = candidates.find(isExecutable);
  if (found === undefined) throw new Error(INSTALL_HINT);
  return found;
}
