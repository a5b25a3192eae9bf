import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../common/workflow-safe/failure-types';
import { type JsonReply, type ServiceHttp, TransportError } from '../worker/clients/http';
import { createPaymentClient } from '../worker/clients/payment-client';

/** A Payment Service that answers every request with `answer` (a reply, or a transport error). */
function answering(answer: JsonReply | TransportError): ServiceHttp {
  return {
    service: 'payment',
    async request() {
      if (answer instanceof TransportError) throw answer;
      return answer;
    },
  };
}

/** The failure type of a release answered with `answer`, or 'ok' when it was accepted. */
async function releaseAnswered(answer: JsonReply | TransportError): Promise<string> {
  const client = createPaymentClient(answering(answer));
  try {
    await client.release(
      'pay_1',
      { runner_id: 'user_1', runner_connect_account_id: 'acct_1' },
      { correlationId: 'c' },
    );
    return 'ok';
  } catch (error) {
    if (error instanceof ApplicationFailure) return error.type ?? 'untyped';
    throw error;
  }
}

const fail = (error: string) => ({ success: false, error, message: 'from the test' });

/**
 * Only an answer that proves nothing was queued may lead to a revert (issue 17, item 3):
 * the contract's 400 validation error. Every other 4xx is unknown and is confirmed through
 * the payment's status.
 */
describe('Function: the Payment Service client sorts release answers', () => {
  it.each<[string, JsonReply]>([
    ['202 queued', { status: 202, body: { success: true } }],
    ['200', { status: 200, body: { success: true } }],
  ])('accepts %s', async (_case, reply) => {
    expect(await releaseAnswered(reply)).toBe('ok');
  });

  it('treats the contract 400 validation error as rejected: nothing was queued', async () => {
    expect(await releaseAnswered({ status: 400, body: fail('BAD_REQUEST') })).toBe(
      FailureType.ReleaseRejected,
    );
  });

  it.each<[string, JsonReply]>([
    ['409 ALREADY_RELEASED', { status: 409, body: fail('ALREADY_RELEASED') }],
    ['422', { status: 422, body: fail('UNPROCESSABLE') }],
    ['404', { status: 404, body: fail('NOT_FOUND') }],
    ['403 from a gateway', { status: 403, body: { message: 'Forbidden' } }],
    ['400 with another error', { status: 400, body: fail('ALREADY_RELEASED') }],
    ['400 claiming success', { status: 400, body: { success: true, error: 'BAD_REQUEST' } }],
    ['400 without a body', { status: 400, body: undefined }],
    ['500 KAFKA_PUBLISH_ERROR', { status: 500, body: fail('KAFKA_PUBLISH_ERROR') }],
    ['503 without the service body', { status: 503, body: 'Service Unavailable' }],
    ['502 from a gateway', { status: 502, body: undefined }],
  ])('treats %s as unknown: it may have been queued', async (_case, reply) => {
    expect(await releaseAnswered(reply)).toBe(FailureType.ReleaseOutcomeUnknown);
  });

  it.each<[string, JsonReply | TransportError]>([
    ['503 KAFKA_ERROR', { status: 503, body: fail('KAFKA_ERROR') }],
    ['429', { status: 429, body: fail('TOO_MANY_REQUESTS') }],
    ['429 without a body', { status: 429, body: undefined }],
    ['a refused connection', new TransportError('refused', { service: 'payment', notSent: true })],
  ])('treats %s as not queued: worth re-sending', async (_case, answer) => {
    expect(await releaseAnswered(answer)).toBe(FailureType.ReleaseNotQueued);
  });

  it('treats a timeout or a dropped connection as unknown', async () => {
    const lost = new TransportError('timed out', { service: 'payment', notSent: false });
    expect(await releaseAnswered(lost)).toBe(FailureType.ReleaseOutcomeUnknown);
  });
});
