/**
 * The one HTTP path to the downstream services: ky with its own retries off (Temporal
 * retries activities), a per-request timeout, the correlation header, and errors sorted
 * into "the service answered" (a response) and "we do not know" (transport errors).
 */
import ky, { isTimeoutError } from 'ky';
import { CORRELATION_HEADER } from '../../common/workflow-safe/names';

/** No HTTP response: a timeout, a dropped or refused connection. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly service: string;
  /** True only when the request provably never reached the service. */
  readonly notSent: boolean;

  constructor(message: string, options: { service: string; notSent: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.service = options.service;
    this.notSent = options.notSent;
  }
}

export interface RequestContext {
  /** The workflow id, sent as {@link CORRELATION_HEADER}. */
  correlationId: string;
  /** Sent as `Idempotency-Key` for requests that must not be applied twice. */
  idempotencyKey?: string;
  /** The request's timeout is at most this (the caller's own deadline). */
  budgetMs?: number;
}

export interface JsonReply {
  status: number;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface ServiceHttp {
  readonly service: string;
  request(
    method: 'GET' | 'POST',
    path: string,
    ctx: RequestContext,
    json?: unknown,
  ): Promise<JsonReply>;
}

/** Connection errors that prove the request never reached the service. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function toTransportError(service: string, error: unknown): TransportError {
  const code = errorCode(error);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const what = isTimeoutError(error) ? 'timed out' : `failed (${code ?? String(error)})`;
  return new TransportError(`${service} request ${what}`, { service, notSent, cause: error });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Creates the HTTP client of one downstream service rooted at `baseUrl`. */
export function createServiceHttp(
  service: string,
  baseUrl: string,
  timeoutMs: number,
): ServiceHttp {
  const api = ky.create({ prefix: baseUrl, timeout: timeoutMs, retry: 0, throwHttpErrors: false });
  return {
    service,
    async request(method, path, ctx, json) {
      const headers: Record<string, string> = { [CORRELATION_HEADER]: ctx.correlationId };
      if (ctx.idempotencyKey) headers['Idempotency-Key'] = ctx.idempotencyKey;
      try {
        const timeout = Math.min(timeoutMs, ctx.budgetMs ?? timeoutMs);
        const response = await api(path, { method, headers, json, timeout });
        return { status: response.status, body: parseJson(await response.text()) };
      } catch (error) {
        throw toTransportError(service, error);
      }
    },
  };
}
