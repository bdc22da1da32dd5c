import {
  AetherError,
  aetherErrorCodes,
  defineErrorCodes,
  type AetherErrorCode,
  type ErrorCodeOf,
  type RetryableAetherErrorCode,
  type RetryableErrorCodeOf,
} from "@aether/kernel";

/** The actor host's own failures; it also reports kernel codes (TIMEOUT, UNAVAILABLE, …). */
export const actorHostErrorCodes = defineErrorCodes({
  /** The node that got the command does not serve the actor's shard (now); the sender re-reads the map and retries. */
  NotOwner: { code: "NOT_OWNER", retryable: true },
  /** No actor type of that name is registered on the node serving the actor. */
  UnknownActorType: { code: "UNKNOWN_ACTOR_TYPE", retryable: false },
  /** The actor's `decide` refused the command; the message is the actor's own. */
  CommandRejected: { code: "COMMAND_REJECTED", retryable: false },
});

/** Every code an ActorHostError can carry: the host's own and the kernel's. */
export type ActorHostErrorCode = ErrorCodeOf<typeof actorHostErrorCodes> | AetherErrorCode;

/** `{ NotOwner: "NOT_OWNER", … }` plus the kernel's names, for `error.code === ActorHostErrorCode.NotOwner`. */
export const ActorHostErrorCode = Object.freeze({
  ...Object.fromEntries(Object.entries(aetherErrorCodes).map(([name, { code }]) => [name, code])),
  ...Object.fromEntries(
    Object.entries(actorHostErrorCodes).map(([name, { code }]) => [name, code]),
  ),
}) as {
  readonly [K in keyof typeof aetherErrorCodes]: (typeof aetherErrorCodes)[K]["code"];
} & { readonly [K in keyof typeof actorHostErrorCodes]: (typeof actorHostErrorCodes)[K]["code"] };

// The lookup table the base class resolves `retryable` from; the two tables never share a string.
const allCodes = { ...aetherErrorCodes, ...actorHostErrorCodes };

type Retryable<C extends ActorHostErrorCode> = C extends
  RetryableErrorCodeOf<typeof actorHostErrorCodes> | RetryableAetherErrorCode
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
