import { AetherError, isAetherError } from "@aether/kernel";
import { toAetherError } from "@aether/nats";
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
  for (let current = error; current !== undefined && chain.length < 5;) {
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

/** The bucket's stream does not exist (never created, or deleted under us). */
export function isStreamNotFound(error: unknown): boolean {
  return (
    jsErrCode(error) === STREAM_NOT_FOUND ||
    causeChain(error).some((link) => nameOf(link) === "StreamNotFoundError")
  );
}

/**
 * A publish to the bucket found no stream listening (nats.js reports it as "jetstream is not
 * enabled"): the bucket may have been deleted, which only a re-open can tell.
 */
export function isNoResponders(error: unknown): boolean {
  return causeChain(error).some(
    (link) =>
      nameOf(link) === "NoRespondersError" ||
      nameOf(link) === "JetStreamNotEnabled" ||
      /no responders|jetstream is not enabled/i.test(String(link)),
  );
}

export function isWrongLastSequence(error: unknown): boolean {
  return (
    jsErrCode(error) === WRONG_LAST_SEQUENCE ||
    causeChain(error).some((link) => /wrong last sequence|key exists/i.test(String(link)))
  );
}

/**
 * A NATS failure as an Aether error: a lost compare-and-set is `COORDINATION_CONFLICT`, a deleted
 * bucket `UNAVAILABLE` (it is re-created); everything else as `@aether/nats` maps it (`TIMEOUT`,
 * `UNAVAILABLE`, `CLOSED`, …).
 */
export function toCoordinationError(error: unknown, key: string, operation: string): Error {
  if (isAetherError(error)) return error;
  if (isWrongLastSequence(error))
    return ClusterError.conflict(key, `${operation} lost a compare-and-set`);
  const what = `${operation} of coordination key ${key}`;
  if (isStreamNotFound(error)) {
    return new AetherError("UNAVAILABLE", `${what}: the KV bucket is gone`, { cause: error });
  }
  return toAetherError(error, what);
}
