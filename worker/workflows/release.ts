/**
 * The pivot: release the money to the runner at most once per payment, across runs, then
 * confirm it settled (ADR 0002). The Payment Service is not idempotent: a second release
 * transfers again. So a release request is only ever repeated after every earlier one was
 * definitely not queued, and a run that did not claim the payment never sends one.
 */
import { ApplicationFailure, condition, log } from '@temporalio/workflow';
import {
  type OrderSnapshot,
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import { type DecisionRecord, ParkReason } from '../../common/workflow-safe/operator';
import { failureTypeOf, rootMessage } from './failures';
import type { PivotFacts, SagaRun } from './run';
import { nextIntervalMs, type ProportionalBackoff, pollWithBackoff } from './wait';

/** How the pivot ended. */
export type PivotOutcome =
  | { kind: 'paid'; payment: PaymentSnapshot; decision?: DecisionRecord }
  /** Nothing reached the runner and nothing will: the money can be returned. */
  | { kind: 'notPaid'; failure: ApplicationFailure }
  /** Every request was definitely not queued when the cancel arrived. */
  | { kind: 'cancelled' }
  /** The order was cancelled or reassigned before a request could be queued. */
  | { kind: 'orderChanged'; order: OrderSnapshot }
  /** An operator decided to return the money. */
  | { kind: 'refund'; decision: DecisionRecord; paymentId: string };

const MINUTE = 60_000;

/** True when the payment already went to this runner (a transfer exists). */
export function isReleasedTo(payment: PaymentSnapshot, runnerId: string): boolean {
  return (
    payment.status === PaymentStatus.SUCCEEDED &&
    payment.transferId !== null &&
    payment.runnerId === runnerId
  );
}

/** The order is still this runner's and still in the status the saga set. */
export function isOrderStillOurs(order: OrderSnapshot, runnerId: string): boolean {
  return order.runnerId === runnerId && order.orderStatus === OrderStatus.DELIVERED;
}

/** Re-reads order and payment; undefined when both still allow a release. */
async function changedSinceCheck(run: SagaRun): Promise<PivotOutcome | 'settled' | undefined> {
  const order = await run.untilDone('re-read of the order before a re-send', () =>
    run.acts.afterPivot.readOrder(run.orderId),
  );
  if (!isOrderStillOurs(order, run.runnerId)) return { kind: 'orderChanged', order };
  const payment = await run.untilDone('re-read of the payment before a re-send', () =>
    run.acts.afterPivot.getPayment(run.orderId),
  );
  return payment.status === PaymentStatus.AUTHORIZED ? undefined : 'settled';
}

type SendResult = 'queued' | 'unknown' | 'settled' | 'notClaimed' | PivotOutcome;

/**
 * Re-sends sleep the first interval plus half the time already spent re-sending: after an
 * outage of t the release goes out at most t/2 (plus a second) after it ends, and an hour
 * of 503s costs ~20 re-sends of four Actions each (timer, re-read of order and payment, the
 * request) where a one-minute cap cost 65 (docs/performance.md, "Temporal actions per
 * saga"). Half, not all, of the time waited: here the runner's money waits for the re-send.
 */
function resendBackoff(run: SagaRun): ProportionalBackoff {
  return {
    windowMs: run.settings.releaseRetryWindowMs,
    initialIntervalMs: run.settings.releaseRetryIntervalMs,
    delayFraction: 0.5,
  };
}

/** The release request for this run's payment and runner. */
function releaseRequest(run: SagaRun, facts: PivotFacts) {
  return {
    orderId: run.orderId,
    paymentId: facts.payment.paymentId,
    runnerId: run.runnerId,
    connectAccountId: facts.connectAccountId,
  };
}

/**
 * Sends the release; re-sends only after an answer that proves it was not queued (503
 * KAFKA_ERROR, 429, connection refused), with backoff ({@link resendBackoff}) for
 * `releaseRetryWindowMs`. The contract's 400 validation error ends it: not queued, never
 * will be. Anything else (any other 4xx, 500, timeout, reset, a gateway's 5xx) may have
 * been queued: never sent again, confirmed through the payment's status.
 */
async function sendUntilQueued(run: SagaRun, facts: PivotFacts): Promise<SendResult> {
  const started = Date.now();
  let interval = run.settings.releaseRetryIntervalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await run.acts.release.sendRelease(releaseRequest(run, facts));
      return 'queued';
    } catch (error) {
      const type = failureTypeOf(error);
      // Both checked inside the activity before anything was sent.
      if (type === FailureType.ReleaseNotClaimed) return 'notClaimed';
      if (type === FailureType.OrderChanged) {
        const order = await run.untilDone('read of the changed order', () =>
          run.acts.afterPivot.readOrder(run.orderId),
        );
        return { kind: 'orderChanged', order };
      }
      if (type === FailureType.ReleaseRejected)
        return { kind: 'notPaid', failure: asFailure(error) };
      if (type !== FailureType.ReleaseNotQueued) {
        log.warn('release outcome unknown: confirming, never re-sending', { attempt, type });
        return 'unknown';
      }
      const remaining = started + run.settings.releaseRetryWindowMs - Date.now();
      if (remaining <= 0) return { kind: 'notPaid', failure: asFailure(error) };
      run.waitingFor(`payment service to accept the release (attempt ${attempt} not queued)`);
      // Its own backoff, not pollWithBackoff: a cancel must end the wait at once (a
      // condition with a timeout, not a sleep), and every wait is followed by a re-read of the order and the payment before a re-send.
      if (await condition(() => run.cancelRequested, Math.min(interval, remaining))) {
        return { kind: 'cancelled' };
      }
      interval = nextIntervalMs(resendBackoff(run), Date.now() - started);
      const changed = await changedSinceCheck(run);
      if (changed) return changed;
      // A cancel that arrived with the timer, or during the re-read, is obeyed too: nothing
      // has been queued yet (found by the reliability suite).
      if (run.cancelRequested) return { kind: 'cancelled' };
    }
  }
}

function asFailure(error: unknown): ApplicationFailure {
  const type = failureTypeOf(error);
  return ApplicationFailure.create({
    type,
    message: rootMessage(error),
    nonRetryable: true,
  });
}

/**
 * Reads the payment until its status leaves `pending` (AUTHORIZED: a queued release has
 * not settled), or undefined when the window ends.
 */
export async function awaitSettlement(
  run: SagaRun,
  windowMs: number,
  what: string,
  pending: readonly PaymentStatus[] = [PaymentStatus.AUTHORIZED],
): Promise<PaymentSnapshot | undefined> {
  run.waitingFor(what);
  return pollWithBackoff(
    async () => {
      // A failed read, like a payment still pending, is `undefined`: keep waiting.
      const payment = await run.acts.retryBriefly.getPayment(run.orderId).catch(() => undefined);
      return payment && !pending.includes(payment.status) ? payment : undefined;
    },
    // Doubling without a cap (checks at 0.5 s, 1.5 s, 3.5 s, 7.5 s...): a day costs 18
    // sleeps, ~36 Actions, where a 5-minute cap cost ~300, ~600 Actions (docs/performance.md,
    // "Temporal actions per saga"). A settlement after t is seen at most t + 0.5 s later:
    // late detection delays the COMPLETED status and the claim's close, not the money.
    { windowMs, initialIntervalMs: 500, delayFraction: 1 },
  );
}

/** What a settled (or unsettled) payment means for the pivot; undefined: park. */
function classify(run: SagaRun, payment: PaymentSnapshot): PivotOutcome | undefined {
  if (isReleasedTo(payment, run.runnerId)) return { kind: 'paid', payment };
  if (payment.status === PaymentStatus.FAILED || payment.status === PaymentStatus.REVERTED) {
    const failure = ApplicationFailure.create({
      type: FailureType.ReleaseFailed,
      message: `payment settled as ${payment.status}`,
      nonRetryable: true,
      details: [{ paymentId: payment.paymentId, status: payment.status }],
    });
    return { kind: 'notPaid', failure };
  }
  return undefined;
}

/** Confirms, and parks when the answer cannot be known; returns once it is known. */
export async function confirmRelease(
  run: SagaRun,
  facts: PivotFacts,
  why: string,
): Promise<PivotOutcome> {
  let note = why;
  for (;;) {
    const settled = await awaitSettlement(run, run.settings.settlementWaitMs, 'payment settlement');
    const known = settled && classify(run, settled);
    if (known) return known;
    const reason = settled ? ParkReason.PaymentStateUnexpected : ParkReason.ReleaseUnconfirmed;
    const message = settled
      ? `payment is ${settled.status} (runner ${settled.runnerId ?? 'none'}, transfer ${settled.transferId ?? 'none'}): not a payout to this runner`
      : `release ${note}; payment still AUTHORIZED after the settlement window`;
    const parked = await run.park<PivotOutcome>(reason, message, {
      paymentId: facts.payment.paymentId,
      // A release that settles late resolves the park by itself.
      recheckEveryMs: Math.min(run.settings.settlementWaitMs, 60 * MINUTE),
      // A failed read is "not yet", like a payment still AUTHORIZED: never the saga's end.
      recheck: async () => {
        const payment = await run.acts.afterPivot.getPayment(run.orderId).catch(() => undefined);
        return payment && classify(run, payment);
      },
    });
    if ('resolved' in parked) return parked.resolved;
    const { decision } = parked;
    if (decision.action === 'refund') {
      return { kind: 'refund', decision, paymentId: facts.payment.paymentId };
    }
    if (decision.action === 'markPaid') return paidByOperator(facts, decision);
    note = await resendByOperator(run, facts);
  }
}

function paidByOperator(facts: PivotFacts, decision: DecisionRecord): PivotOutcome {
  const payment = {
    ...facts.payment,
    status: PaymentStatus.SUCCEEDED,
    transferId: decision.transferId ?? null,
  };
  return { kind: 'paid', payment, decision };
}

/**
 * The operator verified no transfer exists: one more request, whatever the claim says. The
 * activity re-reads the payment right before it sends, and sends only while it is still
 * AUTHORIZED without a transfer; otherwise nothing is sent and the saga confirms again.
 */
async function resendByOperator(run: SagaRun, facts: PivotFacts): Promise<string> {
  try {
    await run.acts.release.sendRelease({ ...releaseRequest(run, facts), operatorResend: true });
    return 're-sent by an operator was queued';
  } catch (error) {
    return `re-sent by an operator got ${failureTypeOf(error)} (${rootMessage(error)})`;
  }
}

/**
 * The pivot. A run sends only with the payment's claim; a run that finds the claim taken
 * (an earlier run sent, or may have sent) only confirms.
 */
export async function releaseFunds(run: SagaRun, facts: PivotFacts): Promise<PivotOutcome> {
  if (facts.payment.status !== PaymentStatus.AUTHORIZED) {
    return confirmRelease(run, facts, `not sent: the payment was already ${facts.payment.status}`);
  }
  // Until it answers: failing here would leave a claim that may be this run's.
  const claim = await run.untilDone(
    'claim of the payment release',
    () => run.acts.afterPivot.claimRelease(facts.payment.paymentId),
    { paymentId: facts.payment.paymentId },
  );
  if (!claim.granted) {
    return confirmRelease(run, facts, `claimed by an earlier run (${claim.holder.runId})`);
  }
  run.claimedPaymentId = facts.payment.paymentId;
  const sent = await sendUntilQueued(run, facts);
  if (sent === 'notClaimed') return confirmRelease(run, facts, 'claimed by an earlier run');
  if (sent === 'queued') return confirmRelease(run, facts, 'queued');
  if (sent === 'unknown') return confirmRelease(run, facts, 'outcome unknown');
  if (sent === 'settled') return confirmRelease(run, facts, 'not queued, but the payment changed');
  return sent;
}
