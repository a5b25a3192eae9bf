/**
 * Compensations. The customer's money goes back only when nothing reached the runner and
 * nothing will, and the revert is confirmed (REVERTED) before the order is CANCELLED.
 * A status is restored only if the order is still in the status the saga set.
 */
import { log } from '@temporalio/workflow';
import {
  type OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { type DecisionRecord, ParkReason } from '../../common/workflow-safe/operator';
import { failureTypeOf, rootMessage } from './failures';
import { awaitSettlement, isReleasedTo } from './release';
import type { SagaRun } from './run';

export type MoneyBack =
  | { kind: 'returned'; decision?: DecisionRecord }
  /** It turned out the runner was paid (late settlement, or an operator's word). */
  | { kind: 'paid'; payment: PaymentSnapshot; decision?: DecisionRecord };

type RevertAttempt = MoneyBack | { park: ParkReason; message: string };

async function revertOnce(
  run: SagaRun,
  paymentId: string,
  why: string,
  byOperator: boolean,
): Promise<RevertAttempt> {
  const before = await run.untilDone(
    'read of the payment before the revert',
    () => run.acts.afterPivot.getPayment(run.orderId),
    { paymentId },
  );
  if (before.status === PaymentStatus.REVERTED) return { kind: 'returned' };
  // An operator's refund reverts a SUCCEEDED payment too (the service then refunds it).
  if (!byOperator && isReleasedTo(before, run.runnerId)) return { kind: 'paid', payment: before };
  if (!byOperator && before.status === PaymentStatus.SUCCEEDED) {
    return {
      park: ParkReason.PaymentStateUnexpected,
      message: `payment SUCCEEDED (transfer ${before.transferId ?? 'none'}, runner ${before.runnerId ?? 'none'}) while returning the money`,
    };
  }
  try {
    // A revert that keeps failing transiently parks STEP_UNAVAILABLE and is sent again
    // while parked; a refusal is this function's own park, REVERT_REJECTED.
    await run.untilDone(
      'revert of the payment',
      () => run.acts.compensation.revertPayment(paymentId, why),
      { paymentId, throwRejected: true },
    );
  } catch (error) {
    const message = `revert refused: ${failureTypeOf(error)} (${rootMessage(error)})`;
    return { park: ParkReason.RevertRejected, message };
  }
  // A FAILED capture (or an authorization, or a payout being refunded) stays as it is
  // until the revert is applied.
  const pending: PaymentStatus[] = [PaymentStatus.AUTHORIZED, PaymentStatus.FAILED];
  if (before.status === PaymentStatus.SUCCEEDED) pending.push(PaymentStatus.SUCCEEDED);
  const after = await awaitSettlement(run, run.settings.revertWaitMs, 'payment revert', pending);
  if (after?.status === PaymentStatus.REVERTED) return { kind: 'returned' };
  if (after?.status === PaymentStatus.SUCCEEDED) {
    const message = `a transfer (${after.transferId ?? 'no id'}) appeared after the revert was sent`;
    return { park: ParkReason.TransferRacedRevert, message };
  }
  return {
    park: ParkReason.RevertUnconfirmed,
    message: `payment not REVERTED after the revert window (${after?.status ?? 'unread'})`,
  };
}

/**
 * Reverts the payment and confirms it, parking for an operator when the Payment Service
 * refuses, never confirms, or shows a transfer instead. `refund` tries again; `markPaid`
 * says the runner was paid after all.
 */
export async function returnMoney(
  run: SagaRun,
  paymentId: string,
  why: string,
  byOperator = false,
): Promise<MoneyBack> {
  let decision: DecisionRecord | undefined;
  for (;;) {
    const attempt = await revertOnce(run, paymentId, why, byOperator || decision !== undefined);
    if (!('park' in attempt)) return decision ? { ...attempt, decision } : attempt;
    const parked = await run.park<never>(attempt.park, attempt.message, { paymentId });
    if ('resolved' in parked) continue;
    decision = parked.decision;
    if (decision.action === 'markPaid') {
      const payment = await run.untilDone(
        'read of the payment marked paid',
        () => run.acts.afterPivot.getPayment(run.orderId),
        { paymentId },
      );
      const paid = {
        ...payment,
        status: PaymentStatus.SUCCEEDED,
        transferId: decision.transferId ?? null,
      };
      return { kind: 'paid', payment: paid, decision };
    }
  }
}

/**
 * Puts the order back to `status` if it is still DELIVERED and this runner's. A write that
 * cannot complete parks (`compensationUntilDone`): retried, or done by hand and skipped.
 */
export async function restoreOrder(
  run: SagaRun,
  status: OrderStatus,
  cause: string,
): Promise<void> {
  const outcome = await run.compensationUntilDone('restoreOrderStatus', cause, () =>
    run.acts.compensation.transitionOrder({
      orderId: run.orderId,
      runnerId: run.runnerId,
      from: ['DELIVERED'],
      to: status,
    }),
  );
  if ('skipped' in outcome) {
    run.compensated(`restoreOrderStatus skipped: done by hand (${outcome.skipped.operator})`);
    return;
  }
  const result = outcome.done;
  if (result.applied) {
    run.compensated('restoreOrderStatus');
    return;
  }
  log.warn('order changed by someone else: status left as it is', {
    orderStatus: result.order.orderStatus,
    runnerId: result.order.runnerId,
  });
  run.compensated(`restoreOrderStatus skipped: order is ${result.order.orderStatus}`);
}
