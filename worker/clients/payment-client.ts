import {
  isPaymentStatus,
  type PaymentSnapshot,
  type ReleaseRequest,
} from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import { isValidId, pathSegment } from '../../common/workflow-safe/ids';
import { contractViolation, describeReply, failure, unexpectedReply } from './downstream-failures';
import { type JsonReply, type RequestContext, type ServiceHttp, TransportError } from './http';
import { send } from './send';

/** Typed client of the Payment Service (CONTRACTS.md, "Payment Service"). */
export interface PaymentClient {
  getPayment(orderId: string, ctx: RequestContext): Promise<PaymentSnapshot>;
  /** Queues a release. Never retried here: see {@link releaseOutcome}. */
  release(paymentId: string, request: ReleaseRequest, ctx: RequestContext): Promise<void>;
  revert(paymentId: string, reason: string, ctx: RequestContext): Promise<void>;
}

function optionalId(value: unknown): string | null {
  return typeof value === 'string' && isValidId('paymentId', value) ? value : null;
}

function toPayment(service: string, orderId: string, body: unknown): PaymentSnapshot {
  const payment = (body as { payment?: Record<string, unknown> } | undefined)?.payment;
  if (payment?.orderId !== orderId) throw contractViolation(service, 'payment order id mismatch');
  if (!isValidId('paymentId', payment.paymentId)) {
    throw contractViolation(service, 'paymentId has an invalid format');
  }
  if (!isPaymentStatus(payment.status)) throw contractViolation(service, 'unknown payment status');
  return {
    paymentId: payment.paymentId,
    orderId,
    runnerId: optionalId(payment.runnerId),
    status: payment.status,
    transferId: typeof payment.transferId === 'string' ? payment.transferId : null,
  };
}

/** The service's own "Kafka unavailable" answer: it did not get as far as publishing. */
function isKafkaUnavailable(reply: JsonReply): boolean {
  const body = reply.body as { success?: unknown; error?: unknown } | undefined;
  return reply.status === 503 && body?.success === false && body.error === 'KAFKA_ERROR';
}

/**
 * The contract's validation error, `400 {"success": false, "error": "BAD_REQUEST"}`: the
 * request was refused before anything was queued. The only refusal that proves it.
 */
function isValidationError(reply: JsonReply): boolean {
  const body = reply.body as { success?: unknown; error?: unknown } | undefined;
  return reply.status === 400 && body?.success === false && body.error === 'BAD_REQUEST';
}

/**
 * Sorts a failed release into the three cases the saga treats differently:
 * - `ReleaseRejected`: the contract's 400 validation error, refused before anything was
 *   queued: the money may go back;
 * - `ReleaseNotQueued`: provably not queued, worth re-sending: the service's own 503
 *   KAFKA_ERROR, a 429 (throttled before it was handled), or a refused connection;
 * - `ReleaseOutcomeUnknown`: anything else. Any other 4xx (404, 409 ALREADY_RELEASED, 422,
 *   a 400 without the validation body) may come from a service, or a proxy in front of it,
 *   that processed the release first: it proves nothing about the queue. A 500
 *   KAFKA_PUBLISH_ERROR can come after the broker stored the message; a timeout, a reset
 *   or a gateway's 5xx say nothing. It may have been queued, so it must never be sent again
 *   and the saga confirms it through the payment's status.
 */
function releaseOutcome(service: string, result: JsonReply | TransportError) {
  if (result instanceof TransportError) {
    const type = result.notSent ? FailureType.ReleaseNotQueued : FailureType.ReleaseOutcomeUnknown;
    return failure(type, result.message, { service, notSent: result.notSent });
  }
  const details = { service, status: result.status };
  const message = `${service} answered the release with ${describeReply(result)}`;
  if (result.status === 429 || isKafkaUnavailable(result)) {
    return failure(FailureType.ReleaseNotQueued, message, details);
  }
  if (isValidationError(result)) return failure(FailureType.ReleaseRejected, message, details);
  return failure(FailureType.ReleaseOutcomeUnknown, message, details);
}

export function createPaymentClient(http: ServiceHttp): PaymentClient {
  return {
    async getPayment(orderId, ctx) {
      const reply = await send(
        http,
        'GET',
        `payment/${pathSegment('orderId', orderId)}/status`,
        ctx,
      );
      if (reply.status === 200) return toPayment(http.service, orderId, reply.body);
      if (reply.status === 404) {
        throw failure(FailureType.PaymentNotFound, `no payment for order ${orderId}`, { orderId });
      }
      throw unexpectedReply(http.service, reply);
    },
    async release(paymentId, request, ctx) {
      const path = `payment/${pathSegment('paymentId', paymentId)}/release`;
      let reply: JsonReply;
      try {
        reply = await http.request('POST', path, ctx, request);
      } catch (error) {
        if (error instanceof TransportError) throw releaseOutcome(http.service, error);
        throw error;
      }
      if (reply.status === 202 || reply.status === 200) return;
      throw releaseOutcome(http.service, reply);
    },
    async revert(paymentId, reason, ctx) {
      const path = `payment/${pathSegment('paymentId', paymentId)}/revert`;
      const reply = await send(http, 'POST', path, ctx, { reason });
      if (reply.status !== 202 && reply.status !== 200) throw unexpectedReply(http.service, reply);
    },
  };
}
