/**
 * Middy middlewares shared by the handlers: a body size limit, and the one place where any
 * error becomes `{"error": CODE, "message": ...}` with the right status.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError, ApiErrorCode } from './errors';
import { json } from './response';

type Middleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Rejects bodies over `maxBytes` (decoded) with 413 before anything parses them. */
export function bodyLimit(maxBytes: number): Middleware {
  const bodyLimitBefore: Middleware['before'] = (request) => {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined) return;
    const size = isBase64Encoded
      ? Buffer.byteLength(body, 'base64')
      : Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) {
      throw new ApiError(
        413,
        ApiErrorCode.PayloadTooLarge,
        `request body is over ${maxBytes} bytes`,
      );
    }
  };
  return { before: bodyLimitBefore };
}

/** Rejects bodies that are not valid UTF-8 (the JSON parser would silently replace bytes). */
export function strictUtf8(): Middleware {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const strictUtf8Before: Middleware['before'] = (request) => {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined || !isBase64Encoded) return;
    try {
      request.event.body = decoder.decode(Buffer.from(body, 'base64'));
      request.event.isBase64Encoded = false;
    } catch {
      throw new ApiError(400, ApiErrorCode.InvalidJson, 'request body is not valid UTF-8');
    }
  };
  return { before: strictUtf8Before };
}

/**
 * Refuses a runner's token issued for another party: the JWT authorizer checks `aud`, and
 * Clerk puts the origin the token was made for in `azp`. Checked only when `parties()` is
 * not empty; requests without JWT claims (IAM callers, direct invokes) are not concerned.
 */
export function authorizedParty(parties: () => readonly string[]): Middleware {
  const authorizedPartyBefore: Middleware['before'] = (request) => {
    const context = request.event.requestContext as
      | { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
      | undefined;
    const claims = context?.authorizer?.jwt?.claims;
    const allowed = parties();
    if (!claims || allowed.length === 0) return;
    if (typeof claims.azp === 'string' && allowed.includes(claims.azp)) return;
    throw new ApiError(
      401,
      ApiErrorCode.Unauthorized,
      'the token was issued for another party (azp)',
    );
  };
  return { before: authorizedPartyBefore };
}

/** Maps errors from @middy/http-json-body-parser (415, 422) to the API's codes. */
function fromParser(error: { statusCode?: number; message: string }): ApiError | undefined {
  if (error.statusCode === 415) {
    return new ApiError(
      415,
      ApiErrorCode.UnsupportedMediaType,
      'Content-Type must be application/json',
    );
  }
  if (error.statusCode === 422) {
    // The parser answers 422 both for bad JSON and for a prototype-polluting key; only its
    // message tells them apart.
    const forbidden = error.message.includes('Forbidden key');
    return new ApiError(
      400,
      ApiErrorCode.InvalidJson,
      forbidden ? 'body contains a forbidden key' : 'body is not valid JSON',
    );
  }
  return undefined;
}

export function apiErrors(logger: Logger): Middleware {
  const apiErrorsOnError: Middleware['onError'] = (request) => {
    const raw = request.error as (Error & { statusCode?: number }) | null;
    const error = raw instanceof ApiError ? raw : raw ? fromParser(raw) : undefined;
    if (error?.expose) {
      if (error.statusCode >= 500)
        logger.warn('request failed', { error: error.message, cause: String(error.cause) });
      request.response = json(
        error.statusCode,
        { error: error.code, message: error.message },
        error.headers,
      );
      return;
    }
    logger.error('unexpected error', raw ?? 'unknown error');
    request.response = json(500, { error: ApiErrorCode.InternalError, message: 'internal error' });
  };
  return { onError: apiErrorsOnError };
}
