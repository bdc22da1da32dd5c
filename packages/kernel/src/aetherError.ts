/**
 * Stable error codes of every Aether package. Codes never change meaning once published; a new
 * failure gets a new code.
 */
export const AetherErrorCode = {
  /** An argument broke a documented rule; the message names it. */
  InvalidArgument: "INVALID_ARGUMENT",
  /** An event or snapshot failed validation before it was stored. */
  InvalidEvent: "INVALID_EVENT",
  /** A namespace or namespace pattern is malformed. */
  InvalidNamespace: "INVALID_NAMESPACE",
  /** An append expected a version other than the stream's current one. */
  VersionConflict: "VERSION_CONFLICT",
  /** An opt-in retry helper ran out of attempts; `cause` holds the last failure. */
  RetriesExhausted: "RETRIES_EXHAUSTED",
  /** A payload is larger than the backend accepts. */
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  /** The backend could not be reached or is between leaders; the same call may succeed later. */
  Unavailable: "UNAVAILABLE",
  /** The backend did not answer in time; the outcome is unknown, so retry with the same ids. */
  Timeout: "TIMEOUT",
  /** The component was closed and refuses further work. */
  Closed: "CLOSED",
  /** The backend answered in a way Aether does not understand. */
  Internal: "INTERNAL",
} as const;
export type AetherErrorCode = (typeof AetherErrorCode)[keyof typeof AetherErrorCode];

const retryableCodes = [AetherErrorCode.Unavailable, AetherErrorCode.Timeout] as const;
/** Codes whose failed call may succeed when repeated unchanged. */
export type RetryableAetherErrorCode = (typeof retryableCodes)[number];

const knownCodes: ReadonlySet<string> = new Set(Object.values(AetherErrorCode));

export interface AetherErrorOptions extends ErrorOptions {
  /** Structured facts about the failure, for logs and programmatic handling. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error family of Aether. `retryable` says whether repeating the same call unchanged may
 * succeed (a timeout, a lost connection); a fatal error needs a different call (a version conflict
 * needs a reload and a new decision, an invalid argument needs a fix).
 */
export class AetherError<C extends AetherErrorCode = AetherErrorCode> extends Error {
  readonly code: C;
  readonly retryable: C extends RetryableAetherErrorCode ? true : false;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: AetherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AetherError";
    this.code = code;
    this.retryable = (retryableCodes as readonly string[]).includes(code) as this["retryable"];
    this.details = options.details ?? {};
  }
}

/**
 * Recognises an Aether error by shape, not by class identity, so it still works when two copies of
 * the kernel end up in one dependency tree.
 */
export function isAetherError(error: unknown, code?: AetherErrorCode): error is AetherError {
  if (!(error instanceof Error)) return false;
  const candidate = (error as { code?: unknown }).code;
  if (typeof candidate !== "string" || !knownCodes.has(candidate)) return false;
  return code === undefined || candidate === code;
}

/** True for errors whose call may succeed when repeated unchanged. */
export function isRetryable(error: unknown): boolean {
  return isAetherError(error) && error.retryable === true;
}
