import { AetherError, defineErrorCodes, errorCodeNames } from "@aether/kernel";
import type { ErrorCodeOf, RetryableErrorCodeOf } from "@aether/kernel";

/** The cluster's own failures, beside the kernel's (`UNAVAILABLE`, `TIMEOUT`, `CLOSED`, …). */
export const clusterErrorCodes = defineErrorCodes({
  /** This node does not serve the shard (it moved, or the node's lease lapsed); ask the owner. */
  NotOwner: { code: "NOT_OWNER", retryable: true },
  /** The node was started with another `shardCount` than the cluster it joins. */
  ShardCountMismatch: { code: "SHARD_COUNT_MISMATCH", retryable: false },
  /** Another live node already uses this `nodeId`. */
  DuplicateNodeId: { code: "DUPLICATE_NODE_ID", retryable: false },
  /** A compare-and-set on a coordination key lost: the key changed or already exists. */
  CoordinationConflict: { code: "COORDINATION_CONFLICT", retryable: false },
  /** A cluster name that cannot name a KV bucket. */
  InvalidClusterName: { code: "INVALID_CLUSTER_NAME", retryable: false },
});

export type ClusterErrorCode = ErrorCodeOf<typeof clusterErrorCodes>;
/** `{ NotOwner: "NOT_OWNER", … }` for comparisons. */
export const ClusterErrorCode = errorCodeNames(clusterErrorCodes);

export interface ClusterErrorOptions extends ErrorOptions {
  details?: Readonly<Record<string, unknown>>;
}

/** Errors of `@aether/cluster`; `code` is one of {@link ClusterErrorCode}. */
export class ClusterError<C extends ClusterErrorCode = ClusterErrorCode> extends AetherError<
  C,
  C extends RetryableErrorCodeOf<typeof clusterErrorCodes> ? true : false
> {
  constructor(code: C, message: string, options: ClusterErrorOptions = {}) {
    super(code, message, { ...options, codes: clusterErrorCodes });
    this.name = "ClusterError";
  }

  static conflict(key: string, detail: string): ClusterError<"COORDINATION_CONFLICT"> {
    return new ClusterError("COORDINATION_CONFLICT", `Coordination key ${key}: ${detail}`, {
      details: { key },
    });
  }
}

/** True for a lost compare-and-set, from any coordination implementation. */
export function isCoordinationConflict(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "COORDINATION_CONFLICT";
}
