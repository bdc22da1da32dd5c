import { AetherError, isAetherError } from "@aether/kernel";
import { ClusterError } from "../../clusterError.js";

/** JetStream's err_code for a compare-and-set that expected another last sequence. */
const WRONG_LAST_SEQUENCE = 10071;
/** JetStream's err_code for a stream that does not exist (the bucket was deleted). */
export const STREAM_NOT_FOUND = 10059;

// By name, not class: a second copy of @nats-io/nats-core in the tree would defeat instanceof.
function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 5; ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

export function jsErrCode(error: unknown): number | undefined {
  for (const link of causeChain(error)) {
    if (nameOf(link) === "JetStreamApiError") {
      const code = (link as { code?: unknown }).code;
      if (typeof code === "number") return code;
    }
  }
  return undefined;
}

export function isWrongLastSequence(error: unknown): boolean {
  return (
    jsErrCode(error) === WRONG_LAST_SEQUENCE ||
    causeChain(error).some((link) => /wrong last sequence|key exists/i.test(String(link)))
  );
}

/**
 * A NATS failure as an Aether error: a lost compare-and-set is `COORDINATION_CONFLICT`; a
 * missing answer `TIMEOUT`; no responders, a 503 or a deleted bucket `UNAVAILABLE`; a closed
 * connection `CLOSED`; anything else `INTERNAL`.
 */
export function toCoordinationError(error: unknown, key: string, operation: string): Error {
  if (isAetherError(error)) return error;
  const what = `${operation} of coordination key ${key}`;
  if (isWrongLastSequence(error)) return ClusterError.conflict(key, `${operation} lost a compare-and-set`);
  const names = causeChain(error).map(nameOf);
  const cause = { cause: error };
  if (names.includes("TimeoutError")) {
    return new AetherError("TIMEOUT", `${what}: NATS did not answer in time; the outcome is unknown`, cause);
  }
  if (names.includes("NoResponders") || jsErrCode(error) === STREAM_NOT_FOUND) {
    return new AetherError("UNAVAILABLE", `${what}: the KV bucket is not answering or is gone`, cause);
  }
  if (names.includes("ClosedConnectionError") || names.includes("DrainingConnectionError")) {
    return new AetherError("CLOSED", `${what}: the NATS connection is closed`, cause);
  }
  const status = (error as { status?: unknown }).status;
  if (status === 503) return new AetherError("UNAVAILABLE", `${what}: JetStream is between leaders`, cause);
  return new AetherError(
    "INTERNAL",
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    cause,
  );
}
