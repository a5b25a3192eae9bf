/**
 * Local errors of the HTTP layer, and the translation of any downstream outcome into the
 * `ApplicationFailure` types (see common/failures.ts) that the workflow's retry policies
 * name. Failures are created retryable; each activity's policy decides which types stop
 * retries, so the retry stance is stated in one place: the workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../common/failures';
import type { JsonReply, ServiceHttp } from './http';

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

export function failure(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    details: details === undefined ? [] : [details],
  });
}

/** Reply body's `error`/`message` fields, for failure messages (never the whole body). */
export function describeReply(reply: JsonReply): string {
  const body = reply.body as { error?: unknown; message?: unknown } | undefined;
  const parts = [body?.error, body?.message].filter((p) => typeof p === 'string');
  return `HTTP ${reply.status}${parts.length ? `: ${parts.join(' - ')}` : ''}`;
}

/** A reply that the contract does not expect: 429/5xx are transient, other 4xx are not. */
export function unexpectedReply(service: string, reply: JsonReply): ApplicationFailure {
  const message = `${service} answered ${describeReply(reply)}`;
  const details = { service, status: reply.status };
  if (reply.status === 429 || reply.status >= 500) {
    return failure(FailureType.DownstreamUnavailable, message, details);
  }
  if (reply.status >= 400) return failure(FailureType.DownstreamRejected, message, details);
  return failure(FailureType.ContractViolation, message, details);
}

/** A reply whose body breaks the service's contract (missing fields, bad ids). */
export function contractViolation(service: string, what: string): ApplicationFailure {
  return failure(FailureType.ContractViolation, `${service} broke its contract: ${what}`, {
    service,
  });
}

/** Transport errors become transient failures (the request may be retried). */
export function transportFailure(error: TransportError): ApplicationFailure {
  return failure(FailureType.DownstreamUnavailable, error.message, {
    service: error.service,
    notSent: error.notSent,
  });
}

/** Sends a request; a transport error becomes a transient failure. */
export async function send(
  http: ServiceHttp,
  ...args: Parameters<ServiceHttp['request']>
): Promise<JsonReply> {
  try {
    return await http.request(...args);
  } catch (error) {
    if (error instanceof TransportError) throw transportFailure(error);
    throw error;
  }
}
