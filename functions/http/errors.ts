/**
 * Errors the API answers with. `code` is the stable string callers read from `error`;
 * `expose: false` errors become a generic 500 (details only in the log).
 */
export const ApiErrorCode = {
  InvalidJson: 'INVALID_JSON',
  InvalidRequest: 'INVALID_REQUEST',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Forbidden: 'FORBIDDEN',
  Unauthorized: 'UNAUTHORIZED',
  NotFound: 'NOT_FOUND',
  /** The order's saga runs, or ran, for a runner other than the requesting one. */
  SagaOwnedByAnotherRunner: 'SAGA_OWNED_BY_ANOTHER_RUNNER',
  TemporalUnavailable: 'TEMPORAL_UNAVAILABLE',
  InternalError: 'INTERNAL_ERROR',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.expose = statusCode < 500 || statusCode === 503;
    this.headers = options.headers ?? {};
  }
}
