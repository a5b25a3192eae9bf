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

type RevertAttempt =
  | MoneyBack
  /** `recheck`: the revert was sent, and a payment that turns REVERTED ends the park. */
  | { park: ParkReason; message: string; recheck?: boolean };

const MINUTE = 60_000;

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
  const paidHere = isReleasedTo(before, run.runnerId);
  // The saga's own paths never revert a payout; an operator's refund reverts a payout to
  // this order's runner (the Payment Service then refunds it).
  if (paidHere && !byOperator) return { kind: 'paid', payment: before };
  if (!paidHere && before.status === PaymentStatus.SUCCEEDED) {
    // Another runner's payout, or one without a transfer id: a revert would undo money
    // this saga cannot account for. Nothing is sent, an operator's refund included, until
    // the payment shows REVERTED (returned by hand).
    return {
      park: ParkReason.PaymentStateUnexpected,
      message: `payment SUCCEEDED (transfer ${before.transferId ?? 'none'}, runner ${before.runnerId ?? 'none'}) while returning the money: not a payout to this runner, nothing reverted`,
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
  // Only REVERTED ends the wait early. A FAILED capture or an authorization stays as it is
  // until the revert is applied; a payout that shows up meanwhile (a release queued before
  // the revert) may still be refunded by the revert queued behind it.
  const pending = [PaymentStatus.AUTHORIZED, PaymentStatus.FAILED, PaymentStatus.SUCCEEDED];
  const after = await awaitSettlement(run, run.settings.revertWaitMs, 'payment revert', pending);
  if (after?.status === PaymentStatus.REVERTED) return { kind: 'returned' };
  // The window passed: the revert is taken as lost. What the payment shows now names the park.
  const now = await run.untilDone(
    'read of the payment after the revert window',
    () => run.acts.afterPivot.getPayment(run.orderId),
    { paymentId },
  );
  if (now.status === PaymentStatus.REVERTED) return { kind: 'returned' };
  if (
    now.status === PaymentStatus.SUCCEEDED &&
    now.transferId !== null &&
    now.transferId !== before.transferId
  ) {
    const message = `a transfer (${now.transferId}) appeared after the revert was sent, and the payment was not REVERTED within the revert window`;
    return { park: ParkReason.TransferRacedRevert, message, recheck: true };
  }
  return {
    park: ParkReason.RevertUnconfirmed,
    message: `payment not REVERTED after the revert window (${now.status})`,
    recheck: true,
  };
}

/** A payment that shows REVERTED now: the money went back after all. */
async function returnedByNow(run: SagaRun): Promise<MoneyBack | undefined> {
  // A failed read is "not yet": the park goes on (its next recheck reads again).
  const payment = await run.acts.afterPivot.getPayment(run.orderId).catch(() => undefined);
  return payment?.status === PaymentStatus.REVERTED ? { kind: 'returned' } : undefined;
}

/**
 * Reverts the payment and confirms it, parking for an operator when the Payment Service
 * refuses, never confirms, or shows a payout that is not this runner's. A park after a
 * sent revert ends by itself once the payment shows REVERTED. `refund` tries again;
 * `markPaid` says the runner was paid after all.
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
    const recheck = attempt.recheck
      ? {
          recheck: () => returnedByNow(run),
          recheckEveryMs: Math.min(run.settings.revertWaitMs, 60 * MINUTE),
        }
      : {};
    const parked = await run.park<MoneyBack>(attempt.park, attempt.message, {
      paymentId,
      ...recheck,
    });
    if ('resolved' in parked) return decision ? { ...parked.resolved, decision } : parked.resolved;
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
