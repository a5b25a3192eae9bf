import { ApplicationFailure } from '@temporalio/common';
import { OrderStatus, PaymentStatus } from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import type { OrderClient } from '../clients/order-client';
import type { PaymentClient } from '../clients/payment-client';
import { claimHolder, isMine } from './claim-activities';
import { requestContext } from './context';
import { releaseIdempotencyKey } from './payment-activities';

export interface GuardedReleaseInput {
  orderId: string;
  paymentId: string;
  runnerId: string;
  connectAccountId: string;
  /**
   * An operator verified that no transfer exists and decided to send again: the claim may
   * be an earlier run's. The order check still applies.
   */
  operatorResend?: boolean;
}

/** Nothing was sent, and the saga must not send: it only confirms. */
const notSent = (type: FailureType, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * The release as v2 sagas send it: the last checks sit in the same activity as the POST,
 * so nothing between them can change unseen except the milliseconds of two reads.
 * - The payment's claim must be this run's: a run created by a reset (new run id) after
 *   the claim was granted replays "granted" from history, and must still not send.
 * - The order must still be DELIVERED and this runner's (ADR 0013).
 * - An operator's resend: the payment, read last, must still be AUTHORIZED without a
 *   transfer. The operator's check was seconds or hours ago; the first release may have
 *   settled since, and a second request would transfer again.
 * A read that fails proves nothing was sent: it is reported as `ReleaseNotQueued`.
 */
export function createReleaseActivities(orders: OrderClient, payments: PaymentClient) {
  return {
    async sendRelease(input: GuardedReleaseInput): Promise<void> {
      const ctx = requestContext(releaseIdempotencyKey(input.paymentId));
      let holderOk: boolean;
      let order: Awaited<ReturnType<OrderClient['getOrder']>>;
      let payment: Awaited<ReturnType<PaymentClient['getPayment']>> | undefined;
      try {
        const holder = await claimHolder(input.paymentId);
        holderOk = input.operatorResend === true || (holder !== null && isMine(holder));
        order = await orders.getOrder(input.orderId, ctx);
        if (input.operatorResend) payment = await payments.getPayment(input.orderId, ctx);
      } catch (error) {
        throw ApplicationFailure.create({
          type: FailureType.ReleaseNotQueued,
          message: `checks before the release failed, nothing sent: ${String(error)}`,
        });
      }
      if (!holderOk) {
        throw notSent(FailureType.ReleaseNotClaimed, 'another run holds the release claim');
      }
      if (order.runnerId !== input.runnerId || order.orderStatus !== OrderStatus.DELIVERED) {
        throw notSent(FailureType.OrderChanged, `order is ${order.orderStatus}, not sent`);
      }
      if (payment && (payment.status !== PaymentStatus.AUTHORIZED || payment.transferId)) {
        throw notSent(
          FailureType.PaymentNotReleasable,
          `payment is ${payment.status} with transfer ${payment.transferId ?? 'none'}: resend not sent`,
        );
      }
      const body = { runner_id: input.runnerId, runner_connect_account_id: input.connectAccountId };
      await payments.release(input.paymentId, body, ctx);
    },
  };
}
