import {
  AetherError,
  aetherErrorCodes,
  defineErrorCodes,
  type AetherErrorCode,
  type ErrorCodeOf,
  type RetryableAetherErrorCode,
} from "@aether/kernel";
import { clusterErrorCodes } from "./clusterError.js";

/**
 * The actor host's own failures. It also reports the kernel's codes (TIMEOUT, UNAVAILABLE, …) and
 * the cluster's NOT_OWNER (this node does not serve the actor's shard now; the sender re-reads the
 * map and retries).
 */
export const actorHostErrorCodes = defineErrorCodes({
  /** No actor type of that name is registered on the node serving the actor. */
  UnknownActorType: { code: "UNKNOWN_ACTOR_TYPE", retryable: false },
  /** The actor's `decide` refused the command; the message is the actor's own. */
  CommandRejected: { code: "COMMAND_REJECTED", retryable: false },
});

/** Every code an ActorHostError can carry: the host's own, the cluster's NOT_OWNER and the kernel's. */
export type ActorHostErrorCode =
  | ErrorCodeOf<typeof actorHostErrorCodes>
  | typeof clusterErrorCodes.NotOwner.code
  | AetherErrorCode;

/** The names of every code, for `error.code === ActorHostErrorCode.NotOwner`. */
export const ActorHostErrorCode = Object.freeze({
  ...Object.fromEntries(Object.entries(aetherErrorCodes).map(([name, { code }]) => [name, code])),
  NotOwner: clusterErrorCodes.NotOwner.code,
  ...Object.fromEntries(
    Object.entries(actorHostErrorCodes).map(([name, { code }]) => [name, code]),
  ),
}) as {
  readonly [K in keyof typeof aetherErrorCodes]: (typeof aetherErrorCodes)[K]["code"];
} & {
  readonly [K in keyof typeof actorHostErrorCodes]: (typeof actorHostErrorCodes)[K]["code"];
} & { readonly NotOwner: typeof clusterErrorCodes.NotOwner.code };

// The lookup table the base class resolves `retryable` from; no two tables share a string.
const allCodes = {
  ...aetherErrorCodes,
  NotOwner: clusterErrorCodes.NotOwner,
  ...actorHostErrorCodes,
};

// None of the host's own codes is retryable; NOT_OWNER and the kernel's TIMEOUT/UNAVAILABLE are.
type Retryable<C extends ActorHostErrorCode> = C extends
  typeof clusterErrorCodes.NotOwner.code | RetryableAetherErrorCode
  ? true
  : false;

export interface ActorHostErrorOptions extends ErrorOptions {
  details?: Readonly<Record<string, unknown>>;
}

/**
 * What `ActorHost.send` fails with, on whichever node the caller is: the code says what happened
 * (a refusal by the actor, a shard nobody served in time, a bad argument), `details` names the
 * actor type, actor id, command id and, for routing failures, the shard and map version last seen.
 */
export class ActorHostError<C extends ActorHostErrorCode = ActorHostErrorCode> extends AetherError<
  C,
  Retryable<C>
> {
  constructor(code: C, message: string, options: ActorHostErrorOptions = {}) {
    super(code, message, { ...options, codes: allCodes });
    this.name = "ActorHostError";
  }

  /** True when `code` is one an ActorHostError can carry (a reply from another node is checked). */
  static isCode(code: string): code is ActorHostErrorCode {
    return Object.values(allCodes).some((entry) => entry.code === code);
  }
}
