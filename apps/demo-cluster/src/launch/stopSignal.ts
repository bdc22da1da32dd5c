// Run through npm, pnpm or the tsx CLI, one Ctrl-C reaches this process several times within
// milliseconds: once from the terminal's process group and once more from each wrapper that
// relays it. A repeat that close is the same request, not the operator's second Ctrl-C.
const SAME_REQUEST_MS = 1_000;

/**
 * Calls `stop` on the first SIGTERM or SIGINT, and `force` on a later one: a second signal means
 * the operator does not want to wait for the graceful path.
 */
export function onStopSignal(
  stop: (signal: NodeJS.Signals) => void,
  force: (signal: NodeJS.Signals) => void,
): void {
  let first: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (first === undefined) {
      first = now;
      stop(signal);
    } else if (now - first > SAME_REQUEST_MS) {
      force(signal);
    }
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
