import { PaymentStatus } from '../../common/workflow-safe/contracts';
import { type OperatorDecision, ParkReason } from '../../common/workflow-safe/operator';
import { isOrderStillOurs } from './release';
import type { SagaRun } from './run';

/** Refuses a decision that no longer fits what the services show now. */
export function decisionCheck(run: () => SagaRun) {
  return async (decision: OperatorDecision): Promise<string | undefined> => {
    // A failed step is tried again (or was done by hand): it moves no money by itself, and
    // the payment may be the very thing that is unreachable.
    if (decision.action === 'retry' || decision.action === 'skip') return undefined;
    const { acts, orderId, runnerId, progress } = run();
    const payment = await acts.retryBriefly.getPayment(orderId);
    const shows = `the payment is ${payment.status} with transfer ${payment.transferId ?? 'none'}`;
    if (decision.action === 'resend') {
      if (payment.status !== PaymentStatus.AUTHORIZED || payment.transferId) {
        return `resend refused: ${shows}`;
      }
      const order = await acts.retryBriefly.readOrder(orderId);
      if (!isOrderStillOurs(order, runnerId)) {
        return `resend refused: the order is ${order.orderStatus}, runner ${order.runnerId ?? 'none'}`;
      }
    }
    if (decision.action === 'markPaid') {
      // PAYOUT_NOT_SETTLED parks because the payment turned FAILED or REVERTED after an
      // operator recorded a payout: there, markPaid says the runner has the money anyway.
      const settledOtherwise =
        payment.status === PaymentStatus.REVERTED || payment.status === PaymentStatus.FAILED;
      if (settledOtherwise && progress.parked?.reason !== ParkReason.PayoutNotSettled) {
        return `markPaid refused: ${shows}`;
      }
      if (payment.transferId && payment.transferId !== decision.transferId) {
        return `markPaid refused: ${shows}`;
      }
      if (payment.runnerId && payment.runnerId !== runnerId) {
        return 'markPaid refused: the payment went to another runner';
      }
    }
    return undefined;
  };
}
