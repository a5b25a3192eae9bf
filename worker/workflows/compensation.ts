/**
 * What a failure before (or at) the pivot undoes, newest first: the saga's compensations,
 * unless an earlier run's release turns out to have paid the runner.
 */
import { CancellationScope, CancelledFailure, isCancellation, log } from '@temporalio/workflow';
import { OrderStatus } from '../../common/workflow-safe/contracts';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import { finish } from './after-pivot';
import { failureTypeOf, rootMessage, sagaFailureOf } from './failures';
import { restoreOrder, returnMoney } from './money-back';
import { confirmRelease } from './release';
import type { PivotFacts, SagaRun } from './run';

/** What the compensations must undo; filled in as the steps succeed. */
export interface Undo {
  previousStatus: OrderStatus | null;
  paymentId: string | null;
  /** What the pivot would have used: needed to confirm an earlier run's release. */
  facts: PivotFacts | null;
  /** An operator decided to refund: revert whatever the payment shows. */
  refundByOperator?: boolean;
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

/** Compensates, then ends with `cause` (or completes, if the runner was paid after all). */
export async function failAfterCompensating(
  run: SagaRun,
  undo: Undo,
  cause: unknown,
): Promise<CompleteOrderResult> {
  const type = isCancellation(cause) ? 'Cancelled' : failureTypeOf(cause);
  const paid = await compensate(run, undo, type);
  if (paid) return CancellationScope.nonCancellable(() => finish(run, paid.payment, paid.decision));
  if (isCancellation(cause)) {
    run.end('CANCELLED', null);
    throw cause instanceof CancelledFailure ? cause : new CancelledFailure('saga cancelled');
  }
  run.end('FAILED', type);
  const message = `${rootMessage(cause)} (compensated: ${run.progress.compensationsRun.join(', ') || 'nothing to undo'})`;
  throw sagaFailureOf(type, message, {
    compensationsRun: run.progress.compensationsRun,
  });
}
