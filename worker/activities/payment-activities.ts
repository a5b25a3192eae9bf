import type { PaymentSnapshot } from '../../common/workflow-safe/contracts';
import type { PaymentClient } from '../clients/payment-client';
import { requestContext } from './context';

export interface ReleaseFundsInput {
  paymentId: string;
  runnerId: string;
  connectAccountId: string;
}

/**
 * The key a service that honours `Idempotency-Key` uses to apply a payment's release at
 * most once. It names the payment alone: a payment is released once, ever.
 */
export function releaseIdempotencyKey(paymentId: string): string {
  return `release-${paymentId}`;
}

/** Activities against the Payment Service. */
export function createPaymentActivities(payments: PaymentClient) {
  return {
    async getPayment(orderId: string): Promise<PaymentSnapshot> {
      return payments.getPayment(orderId, requestContext());
    },
    /**
     * Sends the release request once. Must run with a single attempt: the workflow alone
     * decides whether a failed request may be re-sent.
     */
    async requestRelease(input: ReleaseFundsInput): Promise<void> {
      const body = { runner_id: input.runnerId, runner_connect_account_id: input.connectAccountId };
      const ctx = requestContext(releaseIdempotencyKey(input.paymentId));
      await payments.release(input.paymentId, body, ctx);
    },
    async revertPayment(paymentId: string, reason: string): Promise<void> {
      await payments.revert(paymentId, reason, requestContext(`revert-${paymentId}`));
    },
  };
}
