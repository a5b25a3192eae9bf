/**
 * After the pivot the runner was paid: the order is marked COMPLETED, retried until done
 * and never undone; an order changed meanwhile, or an operator's refund, is settled here.
 */
import { OrderStatus, type PaymentSnapshot } from '../../common/workflow-safe/contracts';
import { ParkReason } from '../../common/workflow-safe/operator';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import { returnMoney } from './money-back';
import type { SagaRun } from './run';

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
 * done (`untilDone`); an order changed meanwhile parks.
 */
export async function finish(run: SagaRun, payment: PaymentSnapshot): Promise<CompleteOrderResult> {
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
  if (done.applied) return sagaResult(run, 'COMPLETED', done.order.orderStatus, payment);
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
    return sagaResult(run, 'COMPLETED', order.orderStatus, payment);
  }
  return refund(run, payment.paymentId);
}

/** An operator's refund: revert, confirm REVERTED, then cancel the order. */
export async function refund(run: SagaRun, paymentId: string): Promise<CompleteOrderResult> {
  const back = await returnMoney(
    run,
    paymentId,
    `refund decided by an operator for ${run.orderId}`,
    true,
  );
  if (back.kind === 'paid') return finish(run, back.payment);
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
