/**
 * The steps up to the pivot: guard the order, mark it DELIVERED, wait for the
 * runner's Connect account, read the payment and check the order once more. All of them
 * are cancellable, and everything they changed is undone on failure (compensation.ts).
 */
import type { ApplicationFailure } from '@temporalio/workflow';
import {
  type OrderSnapshot,
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import type { Undo } from './compensation';
import { sagaFailure } from './failures';
import { isOrderStillOurs, isReleasedTo } from './release';
import type { PivotFacts, SagaRun } from './run';
import { pollWithBackoff } from './wait';

/** Statuses from which a runner's delivery can be completed. */
const COMPLETABLE: readonly OrderStatus[] = [OrderStatus.ON_THE_WAY, OrderStatus.DELIVERED];

/** The order must be this runner's, and in flight (or already COMPLETED). */
export function guardOrder(order: OrderSnapshot, runnerId: string): void {
  if (order.runnerId !== runnerId) {
    throw sagaFailure(
      FailureType.RunnerMismatch,
      `order ${order.orderId} is not assigned to this runner`,
    );
  }
  if (!COMPLETABLE.includes(order.orderStatus) && order.orderStatus !== OrderStatus.COMPLETED) {
    throw sagaFailure(FailureType.OrderNotCompletable, `order is ${order.orderStatus}`, {
      orderStatus: order.orderStatus,
    });
  }
}

async function waitForConnectAccount(run: SagaRun): Promise<string> {
  run.waitingFor('runner Stripe Connect onboarding');
  const account = await pollWithBackoff(
    // `undefined` means "not onboarded yet: keep waiting"; the service answers null.
    async () => (await run.acts.retryBriefly.getConnectAccount(run.runnerId)) ?? undefined,
    {
      windowMs: run.settings.connectAccountWaitMs,
      initialIntervalMs: run.settings.connectAccountPollMs,
      // The first interval plus half the time waited (checks at 1, 2.5, 4.75, 8.1 min...):
      // a day costs ~17 checks, where a one-hour cap cost 29 (docs/performance.md,
      // "Temporal actions per saga"). Half, not all: the runner's money waits for this.
      delayFraction: 0.5,
    },
  );
  if (account) return account;
  throw sagaFailure(FailureType.ConnectAccountMissing, 'runner has no Stripe Connect account');
}

export function orderChangedFailure(order: OrderSnapshot): ApplicationFailure {
  return sagaFailure(
    FailureType.OrderChanged,
    `order was changed by someone else before the payout: ${order.orderStatus}, runner ${order.runnerId ?? 'none'}`,
    { orderStatus: order.orderStatus, runnerId: order.runnerId },
  );
}

/** Steps up to the pivot: all cancellable, all undone on failure. */
export async function beforePivot(
  run: SagaRun,
  order: OrderSnapshot,
  undo: Undo,
): Promise<PivotFacts | PaymentSnapshot> {
  const { acts, orderId, runnerId } = run;
  undo.previousStatus = order.orderStatus;
  // A cancel while this write is in flight waits for it to end (writeBeforePivot), so the
  // restore reads what the write left, never a status the write then overwrites.
  const delivered = await run.step('markDelivered', () =>
    acts.writeBeforePivot.transitionOrder({
      orderId,
      runnerId,
      from: COMPLETABLE,
      to: OrderStatus.DELIVERED,
    }),
  );
  if (!delivered.applied) {
    undo.previousStatus = null;
    throw orderChangedFailure(delivered.order);
  }
  const connectAccountId = await run.step('getConnectAccount', () => waitForConnectAccount(run));
  const payment = await run.step('getPayment', () => acts.retryBriefly.getPayment(orderId));
  if (isReleasedTo(payment, runnerId)) return payment;
  if (payment.status !== PaymentStatus.AUTHORIZED && payment.status !== PaymentStatus.SUCCEEDED) {
    throw sagaFailure(FailureType.PaymentNotReleasable, `payment is ${payment.status}`, {
      paymentId: payment.paymentId,
      status: payment.status,
    });
  }
  // From here on a compensation may revert this payment. What confirming an earlier run's
  // release needs is recorded with it: a failure or cancel of the next read must not leave
  // the compensation without it (an earlier run's release may still be queued).
  if (payment.status === PaymentStatus.AUTHORIZED) {
    undo.toReturn = { order: delivered.order, payment, connectAccountId };
  }
  // Immediately before the release: the order may have been cancelled or reassigned
  // while the saga waited (ADR 0013 states the window that remains).
  const latest = await run.step('checkBeforeRelease', () => acts.retryBriefly.readOrder(orderId));
  const facts: PivotFacts = { order: latest, payment, connectAccountId };
  if (undo.toReturn) undo.toReturn = facts;
  if (!isOrderStillOurs(latest, runnerId)) {
    undo.previousStatus = null;
    if (latest.orderStatus !== OrderStatus.CANCELLED) undo.toReturn = null;
    throw orderChangedFailure(latest);
  }
  return facts;
}
