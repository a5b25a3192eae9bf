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
  /**
   * The AUTHORIZED payment to return, with what confirming an earlier run's release of it
   * needs: recorded together, so no compensation that may revert lacks them.
   */
  toReturn: PivotFacts | null;
  /** An operator decided to refund: revert whatever the payment shows. */
  refundByOperator?: boolean;
}

/**
 * Before reverting: another run (terminated, reset, cancelled) may hold the payment's
 * claim and have queued a release that has not settled. Reverting then could pay the
 * runner and refund the customer both, so the saga confirms that release instead, and
 * parks if it cannot know. Returns a payment when the runner was paid.
 *
 * The claim is asked every time: a reset run replays "claim granted" although the claim
 * names the run it was reset from, so this run's own view of the claim proves nothing.
 * A claim held by this very run is no reason to wait: this run compensates only after
 * its own requests were shown not queued.
 */
async function earlierRunsRelease(run: SagaRun, undo: Undo) {
  const facts = undo.toReturn;
  if (!facts) return undefined;
  const paymentId = facts.payment.paymentId;
  const holder = await run.untilDone(
    'read of the payment release claim',
    () => run.acts.afterPivot.releaseClaimHolder(paymentId),
    { paymentId },
  );
  if (!holder || holder.mine) return undefined;
  const outcome = await confirmRelease(run, facts, `claimed by an earlier run (${holder.runId})`);
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
    if (undo.toReturn) {
      const back = await returnMoney(
        run,
        undo.toReturn.payment.paymentId,
        `complete-order saga for ${run.orderId}: ${cause}`,
        undo.refundByOperator === true,
      );
      if (back.kind === 'paid') return back;
      run.compensated('revertPayment');
      moneyReturned = true;
    }
    if (undo.previousStatus) {
      await restoreOrder(run, moneyReturned ? OrderStatus.CANCELLED : undo.previousStatus, cause);
    }
    return undefined;
  });
}

/**
 * Compensates, then ends with `cause` (or completes, if the runner was paid after all).
 * The failure reported is always the original cause: a compensation that cannot complete
 * parks for an operator (`compensationUntilDone`), and what failed, with the decision that
 * ended its park, is attached as `compensationFailures` (issue 17, item 8).
 */
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
    compensationFailures: run.compensationFailures,
  });
}
