/**
 * After the pivot the runner was paid: the order is marked COMPLETED, retried until done
 * and never undone; an order changed meanwhile, or an operator's refund, is settled here,
 * and a payout recorded by an operator is watched until the payment settles.
 */
import {
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { type DecisionRecord, ParkReason } from '../../common/workflow-safe/operator';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import { returnMoney } from './money-back';
import { awaitSettlement } from './release';
import type { SagaRun } from './run';

const MINUTE = 60_000;

/** What the saga returns when it ended well. */
export function sagaResult(
  run: SagaRun,
  outcome: CompleteOrderResult['outcome'],
  orderStatus: OrderStatus,
  payment: PaymentSnapshot | null,
): CompleteOrderResult {
  return {
    orderId: run.orderId,
    runnerId: run.runnerId,
    outcome,
    orderStatus,
    payment,
    transferId: payment?.transferId ?? null,
    cancelRequested: run.cancelRequested,
    decisions: run.progress.decisions ?? [],
  };
}

/**
 * After the pivot: never undone. Retried through transient failures, then parked until
 * done (`untilDone`); an order changed meanwhile parks. `recorded`: the operator's
 * `markPaid` that stands for the payout. The order is completed on the operator's word,
 * and the saga keeps watching the payment ({@link watchPayout}).
 */
export async function finish(
  run: SagaRun,
  payment: PaymentSnapshot,
  recorded?: DecisionRecord,
): Promise<CompleteOrderResult> {
  const done = await run.step('markCompleted', () =>
    run.untilDone(
      'marking the order COMPLETED',
      () =>
        run.acts.afterPivot.transitionOrder({
          orderId: run.orderId,
          runnerId: run.runnerId,
          from: [OrderStatus.DELIVERED],
          to: OrderStatus.COMPLETED,
        }),
      { paymentId: payment.paymentId },
    ),
  );
  if (done.applied) {
    return recorded?.action === 'markPaid'
      ? watchPayout(run, payment.paymentId, recorded, done.order.orderStatus)
      : sagaResult(run, 'COMPLETED', done.order.orderStatus, payment);
  }
  const parked = await run.park<never>(
    ParkReason.OrderChangedAfterPayout,
    `the runner was paid (transfer ${payment.transferId ?? 'unknown'}) but the order is now ${done.order.orderStatus}, runner ${done.order.runnerId ?? 'none'}`,
    { paymentId: payment.paymentId },
  );
  if (!('decision' in parked)) throw new Error('unreachable: no recheck while parked here');
  if (parked.decision.action === 'markPaid') {
    const order = await run.untilDone(
      'marking the order COMPLETED',
      () => run.acts.afterPivot.setOrderStatus(run.orderId, OrderStatus.COMPLETED),
      { paymentId: payment.paymentId },
    );
    return watchPayout(run, payment.paymentId, parked.decision, order.orderStatus);
  }
  return refund(run, payment.paymentId);
}

/**
 * An operator recorded a payout (`markPaid`) and the order is COMPLETED. The Payment
 * Service may still settle the payment otherwise (a queued release that FAILS), so the
 * saga watches it until it shows SUCCEEDED for this runner (or for no runner: the payout
 * the operator recorded), and parks PAYOUT_NOT_SETTLED (alarmed) when it turns FAILED,
 * REVERTED or another runner's, or stays AUTHORIZED past the settlement window. Such a
 * park ends by itself when the payment changes. There an operator's `markPaid` ends the
 * saga once the payment is no longer AUTHORIZED (while it is, the watch goes on), and
 * `refund` returns the money and cancels the order.
 */
async function watchPayout(
  run: SagaRun,
  paymentId: string,
  recorded: DecisionRecord,
  orderStatus: OrderStatus,
): Promise<CompleteOrderResult> {
  let decision = recorded;
  const paidOut = (p: PaymentSnapshot) =>
    p.status === PaymentStatus.SUCCEEDED && (p.runnerId === null || p.runnerId === run.runnerId);
  const ended = (p: PaymentSnapshot): CompleteOrderResult => ({
    ...sagaResult(run, 'COMPLETED', orderStatus, p),
    transferId: p.transferId ?? decision.transferId ?? null,
  });
  const shown = (p: PaymentSnapshot) =>
    `${p.status} (runner ${p.runnerId ?? 'none'}, transfer ${p.transferId ?? 'none'})`;
  const read = () =>
    run.untilDone(
      'read of the payment marked paid',
      () => run.acts.afterPivot.getPayment(run.orderId),
      {
        paymentId,
      },
    );
  let payment = await read();
  for (;;) {
    if (paidOut(payment)) return ended(payment);
    const transfer = decision.transferId ?? 'unknown';
    if (payment.status === PaymentStatus.AUTHORIZED) {
      const settled = await awaitSettlement(
        run,
        run.settings.settlementWaitMs,
        `payment settlement: the order is COMPLETED on an operator's word (payout ${transfer})`,
      );
      if (settled) {
        payment = settled;
        continue;
      }
    }
    const seen = shown(payment);
    const shows =
      payment.status === PaymentStatus.AUTHORIZED
        ? 'still AUTHORIZED after the settlement window'
        : seen;
    const parked = await run.park<PaymentSnapshot>(
      ParkReason.PayoutNotSettled,
      `an operator recorded payout ${transfer}; the order is ${orderStatus}; the payment is ${shows}`,
      {
        paymentId,
        recheckEveryMs: Math.min(run.settings.settlementWaitMs, 60 * MINUTE),
        // A payment that changes ends the park: it completes, or parks with what it shows.
        recheck: async () => {
          // A failed read is "not yet": the park goes on (its next recheck reads again).
          const now = await run.acts.afterPivot.getPayment(run.orderId).catch(() => undefined);
          return now && shown(now) !== seen ? now : undefined;
        },
      },
    );
    if ('resolved' in parked) {
      payment = parked.resolved;
      continue;
    }
    if (parked.decision.action === 'refund') return refund(run, paymentId);
    // markPaid: the operator checked again that the runner has the money. A payment still
    // AUTHORIZED may yet settle otherwise: the watch goes on.
    decision = parked.decision;
    payment = await read();
    if (payment.status !== PaymentStatus.AUTHORIZED) return ended(payment);
  }
}

/** An operator's refund: revert, confirm REVERTED, then cancel the order. */
export async function refund(run: SagaRun, paymentId: string): Promise<CompleteOrderResult> {
  const back = await returnMoney(
    run,
    paymentId,
    `refund decided by an operator for ${run.orderId}`,
    true,
  );
  if (back.kind === 'paid') return finish(run, back.payment, back.decision);
  const order = await run.untilDone(
    'cancelling the refunded order',
    () => run.acts.afterPivot.setOrderStatus(run.orderId, OrderStatus.CANCELLED),
    { paymentId },
  );
  const payment = await run.untilDone(
    'read of the refunded payment',
    () => run.acts.afterPivot.getPayment(run.orderId),
    { paymentId },
  );
  return sagaResult(run, 'REFUNDED', order.orderStatus, payment);
}
