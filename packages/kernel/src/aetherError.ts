/**
 * A table of error codes: a name for TypeScript, the stable string that travels in logs and over
 * the wire, and whether a call that failed with it may succeed when repeated unchanged. The kernel
 * has one ({@link aetherErrorCodes}); a package declares its own with {@link defineErrorCodes}, so a
 * new failure of the cluster needs no kernel release.
 */
export type ErrorCodeTable = Readonly<
  Record<string, { readonly code: string; readonly retryable: boolean }>
>;

/** The stable code strings of a table. */
export type ErrorCodeOf<T extends ErrorCodeTable> = T[keyof T]["code"];
/** The codes of a table whose failed call may succeed when repeated unchanged. */
export type RetryableErrorCodeOf<T extends ErrorCodeTable> = Extract<
  T[keyof T],
  { readonly retryable: true }
>["code"];
/** `{ Name: "CODE" }`, the shape callers compare against (`error.code === Codes.NotOwner`). */
export type ErrorCodeNames<T extends ErrorCodeTable> = { readonly [K in keyof T]: T[K]["code"] };

/**
 * Declares a package's error codes. Codes never change meaning once published; a new failure gets
 * a new code. A code may not reuse one of the kernel's strings, so `code` alone identifies a failure.
 *
 * @example
 * const clusterErrorCodes = defineErrorCodes({
 *   NotOwner: { code: "NOT_OWNER", retryable: true },
 *   ShardCountMismatch: { code: "SHARD_COUNT_MISMATCH", retryable: false },
 * });
 */
export function defineErrorCodes<const T extends ErrorCodeTable>(table: T): T {
  return checkedCodes(table, kernelCodeStrings);
}

function checkedCodes<const T extends ErrorCodeTable>(table: T, taken: ReadonlySet<string>): T {
  const seen = new Set<string>();
  for (const [name, { code }] of Object.entries(table)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) {
      throw new TypeError(
        `Error code ${name} must be UPPER_SNAKE_CASE, got ${JSON.stringify(code)}`,
      );
    }
    if (seen.has(code) || taken.has(code)) {
      throw new TypeError(`Error code ${JSON.stringify(code)} (${name}) is already taken`);
    }
    seen.add(code);
  }
  return Object.freeze(table);
}

/** The name → code string map of a table. */
export function errorCodeNames<T extends ErrorCodeTable>(table: T): ErrorCodeNames<T> {
  return Object.freeze(
    Object.fromEntries(Object.entries(table).map(([name, { code }]) => [name, code])),
  ) as ErrorCodeNames<T>;
}

/** The kernel's codes: failures every package can report. */
export const aetherErrorCodes = checkedCodes(
  {
    /** An argument broke a documented rule; the message names it. */
    InvalidArgument: { code: "INVALID_ARGUMENT", retryable: false },
    /** An event or snapshot failed validation before it was stored. */
    InvalidEvent: { code: "INVALID_EVENT", retryable: false },
    /** A namespace or namespace pattern is malformed. */
    InvalidNamespace: { code: "INVALID_NAMESPACE", retryable: false },
    /** An append expected a version other than the stream's current one. */
    VersionConflict: { code: "VERSION_CONFLICT", retryable: false },
    /** An opt-in retry helper ran out of attempts; `cause` holds the last failure. */
    RetriesExhausted: { code: "RETRIES_EXHAUSTED", retryable: false },
    /** A payload is larger than the backend accepts. */
    PayloadTooLarge: { code: "PAYLOAD_TOO_LARGE", retryable: false },
    /** The backend could not be reached or is between leaders; the same call may succeed later. */
    Unavailable: { code: "UNAVAILABLE", retryable: true },
    /** The backend did not answer in time; the outcome is unknown, so retry with the same ids. */
    Timeout: { code: "TIMEOUT", retryable: true },
    /** The component was closed and refuses further work. */
    Closed: { code: "CLOSED", retryable: false },
    /** The backend is set up in a way Aether cannot work with (a stream's limits, a bucket's history); the message says what to change. */
    Misconfigured: { code: "MISCONFIGURED", retryable: false },
    /** The backend answered in a way Aether does not understand. */
    Internal: { code: "INTERNAL", retryable: false },
  },
  new Set(),
);
const kernelCodeStrings: ReadonlySet<string> = new Set(
  Object.values(aetherErrorCodes).map((entry) => entry.code),
);

/** Stable error codes of the kernel, by name. */
export const AetherErrorCode = errorCodeNames(aetherErrorCodes);
export type AetherErrorCode = ErrorCodeOf<typeof aetherErrorCodes>;
/** Kernel codes whose failed call may succeed when repeated unchanged. */
export type RetryableAetherErrorCode = RetryableErrorCodeOf<typeof aetherErrorCodes>;

export interface AetherErrorOptions extends ErrorOptions {
  /** Structured facts about the failure, for logs and programmatic handling. */
  details?: Readonly<Record<string, unknown>>;
  /**
   * The table `code` belongs to; a package's error subclass passes its own.
   * @default aetherErrorCodes
   */
  codes?: ErrorCodeTable;
}

// Symbol.for: one brand across every copy of the kernel in a dependency tree.
const aetherErrorBrand = Symbol.for("@aether/kernel/AetherError");

/**
 * The one error family of Aether. `retryable` says whether repeating the same call unchanged may
 * succeed (a timeout, a lost connection); a fatal error needs a different call (a version conflict
 * needs a reload and a new decision, an invalid argument needs a fix).
 *
 * The kernel's codes need no table; a package's own codes come with theirs (see
 * {@link defineErrorCodes}), usually through the package's subclass.
 */
export class AetherError<
  C extends string = AetherErrorCode,
  R extends boolean = C extends RetryableAetherErrorCode ? true : false,
> extends Error {
  readonly code: C;
  readonly retryable: R;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: AetherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = Object.values(options.codes ?? aetherErrorCodes).find(
      (candidate) => candidate.code === code,
    );
    if (entry === undefined) {
      throw new TypeError(`Unknown Aether error code ${JSON.stringify(code)}`, { cause: this });
    }
    this.name = "AetherError";
    this.code = code;
    this.retryable = entry.retryable as R;
    this.details = options.details ?? {};
    Object.defineProperty(this, aetherErrorBrand, { value: true });
  }
}

/**
 * Recognises an Aether error of any package by shape, not by class identity, so it still works when
 * two copies of the kernel end up in one dependency tree.
 */
export function isAetherError(
  error: unknown,
  code?: string,
): error is AetherError<string, boolean> {
  if (!(error instanceof Error)) return false;
  const candidate = (error as { code?: unknown }).code;
  if (typeof candidate !== "string") return false;
  // An error made before the brand existed still counts when it carries a kernel code.
  const branded = (error as unknown as Record<symbol, unknown>)[aetherErrorBrand] === true;
  if (!branded && !kernelCodeStrings.has(candidate)) return false;
  return code === undefined || candidate === code;
}

/** True for errors whose call may succeed when repeated unchanged. */
export function isRetryable(error: unknown): boolean {
  return isAetherError(error) && error.retryable;
}
