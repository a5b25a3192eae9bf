/**
 * The saga, as the business process runs: read and guard the order, the steps before the
 * pivot, the pivot (release.ts), the steps after it, and compensation when something
 * before the pivot fails. One saga version: a change ships as a new pinned Worker
 * Deployment build (ADR 0012), never as a branch inside this code.
 */
import {
  allHandlersFinished,
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
} from '@temporalio/workflow';
import {
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { releaseClaimIdFor } from '../../common/workflow-safe/names';
import type { CompleteOrderResult, SagaProgress } from '../../common/workflow-safe/saga-contract';
import { finish, refund, sagaResult } from './after-pivot';
import { beforePivot, guardOrder, orderChangedFailure } from './before-pivot';
import { claimSettledSignal } from './claim';
import { failAfterCompensating, type Undo } from './compensation';
import { decisionCheck } from './decision-check';
import { failureTypeOf } from './failures';
import { type ParsedInput, parseInput } from './input';
import { progressQuery } from './messages';
import { type PivotOutcome, releaseFunds } from './release';
import { activitiesByRetryStance } from './retry-stances';
import { type PivotFacts, SagaRun } from './run';

/** The business process: guard, the steps before the pivot, the pivot, the steps after. */
async function completeOrder(run: SagaRun): Promise<CompleteOrderResult> {
  const undo: Undo = { previousStatus: null, toReturn: null };
  let facts: PivotFacts | PaymentSnapshot;
  try {
    const order = await run.step('readOrder', () => run.acts.retryBriefly.readOrder(run.orderId));
    guardOrder(order, run.runnerId);
    if (order.orderStatus === OrderStatus.COMPLETED) {
      return sagaResult(run, 'ALREADY_COMPLETED', order.orderStatus, null);
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

/** What the pivot's outcome leads to: completion, an operator's refund, or compensation. */
async function afterPivot(
  run: SagaRun,
  undo: Undo,
  outcome: PivotOutcome,
): Promise<CompleteOrderResult> {
  switch (outcome.kind) {
    case 'paid':
      return finish(run, outcome.payment, outcome.decision);
    case 'refund':
      return refund(run, outcome.paymentId);
    case 'orderChanged': {
      if (outcome.order.orderStatus !== OrderStatus.CANCELLED) undo.toReturn = null;
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

/**
 * Closes this run's release claim once the payment left AUTHORIZED: no queued release can
 * pay any more, and a later run reads the settled status. While it stays AUTHORIZED the
 * claim stays open (a release may still be queued), whatever happens to this run. It runs
 * as the run ends, so it never throws: a payment it cannot read leaves the claim open,
 * which is always safe (a later run only confirms).
 */
async function releaseClaimIfSettled(run: SagaRun): Promise<void> {
  const paymentId = run.claimedPaymentId;
  if (!paymentId) return;
  const payment = await run.acts.afterPivot.getPayment(run.orderId).catch((error: unknown) => {
    log.warn('release claim left open: payment unread', { paymentId, error: String(error) });
    return undefined;
  });
  if (!payment || payment.status === PaymentStatus.AUTHORIZED) return;
  await getExternalWorkflowHandle(releaseClaimIdFor(paymentId))
    .signal(claimSettledSignal)
    .catch((error: unknown) => log.warn('release claim not closed', { error: String(error) }));
}

/**
 * Completes a delivered order: marks it DELIVERED, pays the runner (the pivot) and marks
 * it COMPLETED. Before the pivot every step is undone on failure or cancel; after it
 * nothing is, and what cannot be known waits for an operator. One run parses the input,
 * answers the queries, runs the process, and closes the payment's release claim however
 * the run ends.
 */
export async function CompleteOrderWorkflow(rawInput: unknown): Promise<CompleteOrderResult> {
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
