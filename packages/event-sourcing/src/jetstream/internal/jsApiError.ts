/** The `error` object of a JetStream API or publish response. */
export interface JsApiErrorBody {
  /** HTTP-like status: 400, 404, 408, 500, 503 … */
  code: number;
  /** JetStream's own code, stable across servers, e.g. 10071. */
  err_code?: number;
  description: string;
}

/** The JetStream error codes the stores act on (nats-server `server/errors.json`). */
export const JsErrorCode = {
  NoMessageFound: 10037,
  MessageTooLarge: 10054,
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  WrongLastSequence: 10071,
} as const;

/** A refusal from JetStream, kept apart from transport failures until it is mapped. */
export class JsApiError extends Error {
  readonly status: number;
  readonly errCode: number;

  constructor(body: JsApiErrorBody) {
    super(body.description);
    this.name = "JsApiError";
    this.status = body.code;
    this.errCode = body.err_code ?? 0;
  }
}

export function isJsApiError(error: unknown, errCode?: number): error is JsApiError {
  return error instanceof JsApiError && (errCode === undefined || error.errCode === errCode);
}
