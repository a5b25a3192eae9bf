import {
  type ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setHandler,
} from '@temporalio/workflow';
import {
  type OrderSnapshot,
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import { releaseClaimIdFor } from '../../common/workflow-safe/names';
import { type OperatorDecision, ParkReason } from '../../common/workflow-safe/operator';
import type { CompleteOrderResult, SagaProgress } from '../../common/workflow-safe/saga-contract';
import { claimSettledSignal } from './claim';
import { failureTypeOf, rootMessage, sagaFailure } from './failures';
import { type ParsedInput, parseInput } from './input';
import { progressQuery } from './messages';
import { restoreOrder, returnMoney } from './money-back';
import {
  confirmRelease,
  isOrderStillOurs,
  isReleasedTo,
  type PivotOutcome,
  releaseFunds,
} from './release';
import { type PivotFacts, SagaRun } from './run';
import { completeOrderV1 } from './v1/complete-order';
import { activitiesByRetryStance } from './v1/retry-stances';
import { pollWithBackoff } from './wait';

/**
 * The money-safety change (issue 9). Sagas whose history has no marker (started before it)
 * finish on the frozen v1 code; every new saga records the marker and runs this file.
 */
export const MONEY_SAFETY_PATCH = 'money-safety-v2';

/** Statuses from which a runner's delivery can be completed. */
const COMPLETABLE: readonly OrderStatus[] = [OrderStatus.ON_THE_WAY, OrderStatus.DELIVERED];

/** What the compensations must undo; filled in as the steps succeed. */
interface Undo {
  previousStatus: OrderStatus | null;
  paymentId: string | null;
  /** What the pivot would have used: needed to confirm an earlier run's release. */
  facts: PivotFacts | null;
  /** An operator decided to refund: revert whatever the payment shows. */
  refundByOperator?: boolean;
}

function guardOrder(order: OrderSnapshot, runnerId: string): void {
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
      maxIntervalMs: 60 * 60_000,
    },
  );
  if (account) return account;
  throw sagaFailure(FailureType.ConnectAccountMissing, 'runner has no Stripe Connect account');
}

function orderChangedFailure(order: OrderSnapshot): ApplicationFailure {
  return sagaFailure(
    FailureType.OrderChanged,
    `order was changed by someone else before the payout: ${order.orderStatus}, runner ${order.runnerId ?? 'none'}`,
    { orderStatus: order.orderStatus, runnerId: order.runnerId },
  );
}

/** Steps up to the pivot: all cancellable, all undone on failure. */
async function beforePivot(
  run: SagaRun,
  order: OrderSnapshot,
  undo: Undo,
): Promise<PivotFacts | PaymentSnapshot> {
  const { acts, orderId, runnerId } = run;
  undo.previousStatus = order.orderStatus;
  const delivered = await run.step('markDelivered', () =>
    acts.retryBriefly.transitionOrder({
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
  if (payment.status === PaymentStatus.AUTHORIZED) undo.paymentId = payment.paymentId;
  // Immediately before the release: the order may have been cancelled or reassigned
  // while the saga waited (ADR 0013 states the window that remains).
  const latest = await run.step('checkBeforeRelease', () => acts.retryBriefly.readOrder(orderId));
  undo.facts = { order: latest, payment, connectAccountId };
  if (!isOrderStillOurs(latest, runnerId)) {
    undo.previousStatus = null;
    if (latest.orderStatus !== OrderStatus.CANCELLED) undo.paymentId = null;
    throw orderChangedFailure(latest);
  }
  return undo.facts;
}

/**
 * Before reverting: another run (terminated, reset, cancelled) may hold the payment's
 * claim and have queued a release that has not settled. Reverting then could pay the
 * runner and refund the customer both, so the saga confirms that release instead, and
 * parks if it cannot know. Returns a payment when the runner was paid.
 */
async function earlierRunsRelease(run: SagaRun, undo: Undo) {
  if (!undo.paymentId || !undo.facts || run.claimedPaymentId) return undefined;
  const holder = await run.acts.afterPivot.releaseClaimHolder(undo.paymentId);
  if (!holder) return undefined;
  const outcome = await confirmRelease(
    run,
    undo.facts,
    `claimed by an earlier run (${holder.runId})`,
  );
  if (outcome.kind === 'paid') return outcome;
  if (outcome.kind === 'refund') undo.refundByOperator = true;
  return undefined;
}

/**
 * Undoes what `undo` lists, newest first, in a scope no cancel can interrupt. Returns a
 * payment when it turned out the runner was paid after all (the saga then completes).
 */
async function compensate(run: SagaRun, undo: Undo, cause: string) {
  run.progress.status = 'COMPENSATING';
  log.warn('saga compensating', { cause });
  return CancellationScope.nonCancellable(async () => {
    let moneyReturned = false;
    const earlier = await earlierRunsRelease(run, undo);
    if (earlier) return earlier;
    if (undo.paymentId) {
      const back = await returnMoney(
        run,
        undo.paymentId,
        `complete-order saga for ${run.orderId}: ${cause}`,
        undo.refundByOperator === true,
      );
      if (back.kind === 'paid') return back;
      run.compensated('revertPayment');
      moneyReturned = true;
    }
    if (undo.previousStatus) {
      await restoreOrder(run, moneyReturned ? OrderStatus.CANCELLED : undo.previousStatus);
    }
    return undefined;
  });
}

function result(
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

/** After the pivot: retried until done, never undone; an order changed meanwhile parks. */
async function finish(run: SagaRun, payment: PaymentSnapshot): Promise<CompleteOrderResult> {
  const done = await run.step('markCompleted', () =>
    run.acts.afterPivot.transitionOrder({
      orderId: run.orderId,
      runnerId: run.runnerId,
      from: [OrderStatus.DELIVERED],
      to: OrderStatus.COMPLETED,
    }),
  );
  if (done.applied) return result(run, 'COMPLETED', done.order.orderStatus, payment);
  const parked = await run.park<never>(
    ParkReason.OrderChangedAfterPayout,
    `the runner was paid (transfer ${payment.transferId ?? 'unknown'}) but the order is now ${done.order.orderStatus}, runner ${done.order.runnerId ?? 'none'}`,
    { paymentId: payment.paymentId },
  );
  if (!('decision' in parked)) throw new Error('unreachable: no recheck while parked here');
  if (parked.decision.action === 'markPaid') {
    const order = await run.acts.afterPivot.setOrderStatus(run.orderId, OrderStatus.COMPLETED);
    return result(run, 'COMPLETED', order.orderStatus, payment);
  }
  return refund(run, payment.paymentId);
}

/** An operator's refund: revert, confirm REVERTED, then cancel the order. */
async function refund(run: SagaRun, paymentId: string): Promise<CompleteOrderResult> {
  const back = await returnMoney(
    run,
    paymentId,
    `refund decided by an operator for ${run.orderId}`,
    true,
  );
  if (back.kind === 'paid') return finish(run, back.payment);
  const order = await run.acts.afterPivot.setOrderStatus(run.orderId, OrderStatus.CANCELLED);
  const payment = await run.acts.afterPivot.getPayment(run.orderId);
  return result(run, 'REFUNDED', order.orderStatus, payment);
}

async function afterPivot(
  run: SagaRun,
  undo: Undo,
  outcome: PivotOutcome,
): Promise<CompleteOrderResult> {
  switch (outcome.kind) {
    case 'paid':
      return finish(run, outcome.payment);
    case 'refund':
      return refund(run, outcome.paymentId);
    case 'orderChanged': {
      if (outcome.order.orderStatus !== OrderStatus.CANCELLED) undo.paymentId = null;
      undo.previousStatus = null;
      return failAfterCompensating(run, undo, orderChangedFailure(outcome.order));
    }
    case 'cancelled':
      return failAfterCompensating(
        run,
        undo,
        new CancelledFailure('saga cancelled before the release was queued'),
      );
    case 'notPaid':
      return failAfterCompensating(run, undo, outcome.failure);
  }
}

/** Compensates, then ends with `cause` (or completes, if the runner was paid after all). */
async function failAfterCompensating(
  run: SagaRun,
  undo: Undo,
  cause: unknown,
): Promise<CompleteOrderResult> {
  const type = isCancellation(cause) ? 'Cancelled' : failureTypeOf(cause);
  const paid = await compensate(run, undo, type);
  if (paid) return CancellationScope.nonCancellable(() => finish(run, paid.payment));
  if (isCancellation(cause)) {
    run.end('CANCELLED', null);
    throw cause instanceof CancelledFailure ? cause : new CancelledFailure('saga cancelled');
  }
  run.end('FAILED', type);
  const message = `${rootMessage(cause)} (compensated: ${run.progress.compensationsRun.join(', ') || 'nothing to undo'})`;
  throw sagaFailure(type as FailureType, message, {
    compensationsRun: run.progress.compensationsRun,
  });
}

async function completeOrder(run: SagaRun): Promise<CompleteOrderResult> {
  const undo: Undo = { previousStatus: null, paymentId: null, facts: null };
  let facts: PivotFacts | PaymentSnapshot;
  try {
    const order = await run.step('readOrder', () => run.acts.retryBriefly.readOrder(run.orderId));
    guardOrder(order, run.runnerId);
    if (order.orderStatus === OrderStatus.COMPLETED) {
      return result(run, 'ALREADY_COMPLETED', order.orderStatus, null);
    }
    facts = await beforePivot(run, order, undo);
    // A payment already released to this runner is past the pivot: the saga completes.
    if (run.cancelRequested && 'connectAccountId' in facts) {
      throw new CancelledFailure('saga cancelled before the pivot');
    }
  } catch (error) {
    return failAfterCompensating(run, undo, error);
  }
  // The pivot: from here on a cancel request is recorded, never obeyed.
  return CancellationScope.nonCancellable(async () => {
    if (!('connectAccountId' in facts)) return finish(run, facts);
    const outcome = await run.step('releaseFunds', () => releaseFunds(run, facts));
    return afterPivot(run, undo, outcome);
  });
}

/** Refuses a decision that no longer fits what the services show now. */
function decisionCheck(run: () => SagaRun) {
  return async (decision: OperatorDecision): Promise<string | undefined> => {
    const { acts, orderId, runnerId } = run();
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
      if (payment.status === PaymentStatus.REVERTED || payment.status === PaymentStatus.FAILED) {
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

/**
 * Closes this run's release claim once the payment left AUTHORIZED: no queued release can
 * pay any more, and a later run reads the settled status. While it stays AUTHORIZED the
 * claim stays open (a release may still be queued), whatever happens to this run.
 */
async function releaseClaimIfSettled(run: SagaRun): Promise<void> {
  const paymentId = run.claimedPaymentId;
  if (!paymentId) return;
  const payment = await run.acts.afterPivot.getPayment(run.orderId);
  if (payment.status === PaymentStatus.AUTHORIZED) return;
  await getExternalWorkflowHandle(releaseClaimIdFor(paymentId))
    .signal(claimSettledSignal)
    .catch((error: unknown) => log.warn('release claim not closed', { error: String(error) }));
}

async function completeOrderV2(rawInput: unknown): Promise<CompleteOrderResult> {
  // Answer the progress query even for an input that is refused.
  const refused: SagaProgress = { ...SagaRun.initialProgress(), status: 'FAILED' };
  setHandler(progressQuery, () => refused);
  let input: ParsedInput;
  try {
    input = parseInput(rawInput);
  } catch (error) {
    refused.failureType = failureTypeOf(error);
    throw error;
  }
  let run: SagaRun | undefined;
  run = new SagaRun(
    input.orderId,
    input.runnerId,
    input.settings,
    activitiesByRetryStance(input.settings),
    decisionCheck(() => run as SagaRun),
  );
  try {
    const outcome = await completeOrder(run);
    run.complete();
    return outcome;
  } catch (error) {
    if (run.progress.status !== 'FAILED' && run.progress.status !== 'CANCELLED') {
      run.end(isCancellation(error) ? 'CANCELLED' : 'FAILED', failureTypeOf(error));
    }
    throw error;
  } finally {
    await CancellationScope.nonCancellable(async () => {
      await condition(allHandlersFinished);
      await releaseClaimIfSettled(run as SagaRun);
    });
  }
}

/**
 * Completes a delivered order: marks it DELIVERED, pays the runner (the pivot) and marks
 * it COMPLETED. Before the pivot every step is undone on failure or cancel; after it
 * nothing is, and what cannot be known waits for an operator.
 */
export async function CompleteOrderWorkflow(rawInput: unknown): Promise<CompleteOrderResult> {
  if (patched(MONEY_SAFETY_PATCH)) return completeOrderV2(rawInput);
  return completeOrderV1(rawInput);
}
