import { readFileSync } from "node:fs";
import type { NodeAction, NodeControl } from "../demoNode.js";

/** The launcher's list of node processes: `{ "node-1": 12345, … }`. */
export type PeersFile = Record<string, number>;

const SIGNALS: Record<NodeAction, NodeJS.Signals> = {
  kill: "SIGKILL",
  pause: "SIGSTOP",
  resume: "SIGCONT",
  leave: "SIGTERM",
};

/**
 * The dashboard's node buttons for node processes started by the local launcher: real signals to
 * real processes (kill -9, SIGSTOP, SIGCONT, SIGTERM), found through the launcher's peers file.
 */
export function processControl(peersFile: string): NodeControl {
  return {
    actions: ["kill", "pause", "resume", "leave"],
    async run(nodeId, action) {
      const peers = JSON.parse(readFileSync(peersFile, "utf8")) as PeersFile;
      const pid = peers[nodeId];
      if (pid === undefined) throw new Error(`No process for node ${nodeId} in ${peersFile}`);
      process.kill(pid, SIGNALS[action]);
    },
  };
}
