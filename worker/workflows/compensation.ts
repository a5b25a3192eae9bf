/**
 * What a failure before (or at) the pivot undoes, newest first: the saga's compensations,
 * unless an earlier run's release turns out to have paid the runner.
 */
import { CancellationScope, CancelledFailure, isCancellation, log } from '@temporalio/workflow';
import {
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import { finish } from './after-pivot';
import { failureTypeOf, rootMessage, sagaFailureOf } from './failures';
import { restoreOrder, returnMoney } from './money-back';
import { confirmRelease, isReleasedTo } from './release';
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
  /**
   * An operator's refund of a payment this run had nothing to return for (an earlier run's
   * release it confirmed, {@link moneyUnseen}): its id.
   */
  refundOf?: string;
  /**
   * The failure came before the pivot: with nothing to return, the compensation first
   * looks at the payment ({@link moneyUnseen}).
   */
  failedBeforePivot?: boolean;
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
 * A failure before the pivot that leaves nothing to return (`toReturn` null: the payment
 * was never read, or is left alone on purpose) used to compensate without knowing the
 * money's state, so an earlier run's release, queued or settled, went unseen: the saga
 * ended FAILED and then the runner was paid, or a run reset after a payout ended FAILED.
 * So the payment is read first (best effort, `retryBriefly`; a failed read is unknown):
 * - SUCCEEDED to this runner: the runner was paid. The saga finishes (COMPLETED, or parks
 *   ORDER_CHANGED_AFTER_PAYOUT when the order changed), never FAILED.
 * - AUTHORIZED with the claim held by another run: that run's release is confirmed as in
 *   {@link earlierRunsRelease} (parked when unknown). The money goes back only on an
 *   operator's refund; otherwise, as before, this run leaves the payment alone.
 * - AUTHORIZED with no claim, FAILED, REVERTED, another runner's: compensate as before.
 * - unread: see {@link readAfterEarlierRuns}.
 * Failure paths only: the happy path pays no extra Action.
 */
async function moneyUnseen(run: SagaRun, undo: Undo, cause: string) {
  const payment =
    (await run.acts.retryBriefly.getPayment(run.orderId).catch(() => undefined)) ??
    (await readAfterEarlierRuns(run, cause));
  if (!payment) return undefined;
  if (isReleasedTo(payment, run.runnerId)) return { kind: 'paid' as const, payment };
  if (payment.status !== PaymentStatus.AUTHORIZED) return undefined;
  const paymentId = payment.paymentId;
  const holder = await run.untilDone(
    'read of the payment release claim',
    () => run.acts.afterPivot.releaseClaimHolder(paymentId),
    { paymentId },
  );
  if (!holder || holder.mine) return undefined;
  // The Connect account may be unread: no resend is offered (markPaid or refund).
  const why = `claimed by an earlier run (${holder.runId})`;
  const outcome = await confirmRelease(run, { payment, connectAccountId: null }, why);
  if (outcome.kind === 'paid') return outcome;
  if (outcome.kind === 'refund') {
    undo.refundByOperator = true;
    undo.refundOf = paymentId;
  }
  return undefined;
}

/**
 * The payment could not be read. If another run of this saga exists it may have released
 * the payment, and the saga cannot know: the read becomes a compensation that parks
 * (STEP_REJECTED for a 404 or another permanent answer, STEP_UNAVAILABLE past the step
 * window, re-tried by itself) until it succeeds (`retry`, once the data or service is
 * fixed) or an operator, having checked, `skip`s it. If none exists (the common case: a
 * payment that really is missing) the saga compensates and ends FAILED as before.
 *
 * "Another run exists" is an activity's answer, recorded in history, so replay and a reset
 * see the same one: a visibility count of this workflow id's other runs (a reset's base
 * run, an earlier run re-triggered after it was terminated). It is the cheapest sound
 * test: the payment's claim is keyed by the payment id, the very thing unread, and the
 * workflow info names a reset's base run but not a re-trigger's predecessor. A count that
 * fails counts as "exists": the saga parks rather than guess.
 */
async function readAfterEarlierRuns(
  run: SagaRun,
  cause: string,
): Promise<PaymentSnapshot | undefined> {
  const others = await run.acts.retryBriefly.otherRunsOfThisSaga().catch(() => 1);
  if (others === 0) return undefined;
  const read = await run.compensationUntilDone(
    'read of the payment (an earlier run of this saga may have released it)',
    cause,
    () => run.acts.compensation.getPayment(run.orderId),
  );
  return 'done' in read ? read.done : undefined;
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
    const earlier =
      undo.toReturn || !undo.failedBeforePivot
        ? await earlierRunsRelease(run, undo)
        : await moneyUnseen(run, undo, cause);
    if (earlier) return earlier;
    const toReturn = undo.toReturn?.payment.paymentId ?? undo.refundOf;
    if (toReturn) {
      const back = await returnMoney(
        run,
        toReturn,
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
