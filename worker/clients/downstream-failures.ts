/**
 * The translation of any downstream outcome (a reply, or a transport error) into the
 * `ApplicationFailure` types (see common/workflow-safe/failure-types.ts) that the workflow's retry policies
 * name. Failures are created retryable; each activity's policy decides which types stop
 * retries, so the retry stance is stated in one place: the workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../common/workflow-safe/failure-types';
import type { JsonReply, TransportError } from './http';

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
