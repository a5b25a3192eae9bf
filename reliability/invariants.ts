/**
 * The claims the service makes, checked per order against what really moved (the sandbox
 * ledger) and what the sagas say (Temporal): each payment paid out at most once and never
 * both paid and returned, no revert while a release may still be queued, and every saga
 * ended in a state someone can account for (docs/money-model.md states the model). An
 * operator's accepted decision explains what the saga alone must never do (a resend, a
 * refund after a payout), never more.
 */
import { FailureType } from '../common/workflow-safe/failure-types';
import type { LedgerEntry } from '../sandbox';
import type { OrderFacts } from './facts';

export type Outcome = 'paid' | 'cancelled' | 'parked' | 'untouched' | 'unsettled';

/** How each outcome reads in the summary table, in the table's order. */
export const OUTCOME_LABELS: Record<Outcome, string> = {
  paid: 'paid',
  cancelled: 'cancelled, money returned',
  parked: 'parked',
  untouched: 'rejected, nothing moved',
  unsettled: 'NOT SETTLED',
};

export interface OrderVerdict {
  orderId: string;
  outcome: Outcome;
  violations: string[];
}

/** The first violation of "paid out although the order was changed": the explorer tells it apart (ADR 0013). */
export const PAID_AFTER_CHANGE = 'paid out although the order was';

/** The violation "order COMPLETED but not paid to its runner". */
export const COMPLETED_UNPAID = 'order COMPLETED but';

const decided = (f: OrderFacts, action: string, beforeSeq = Number.POSITIVE_INFINITY) =>
  f.decisions.filter((d) => d.action === action && d.sentAtSeq < beforeSeq);

const countBefore = (entries: LedgerEntry[], seq: number) =>
  entries.filter((e) => e.seq < seq).length;

/**
 * Reverts sent while a release of the payment may still be queued (a release request
 * without its settlement before it), unless an operator decided to refund first.
 */
function revertsOverQueuedRelease(f: OrderFacts): string[] {
  const settlements = [...f.transfers, ...f.releaseFailures];
  return f.revertRequests
    .filter((r) => countBefore(f.releases, r.seq) > countBefore(settlements, r.seq))
    .filter((r) => decided(f, 'refund', r.seq).length === 0)
    .map((r) => `revert sent (ledger #${r.seq}) while a release may still be queued`);
}

/**
 * Reverts the saga must not send even on an operator's refund: over a payment that shows
 * a transfer by itself, or stands SUCCEEDED to another runner or without a transfer id
 * (that refund parks again until the payment shows REVERTED).
 */
function revertsOverPayout(f: OrderFacts): string[] {
  const runner = f.saga?.runnerId;
  return f.revertRequests.flatMap((r) => {
    const p = r.payment;
    if (p?.status !== 'SUCCEEDED') return [];
    if (decided(f, 'refund', r.seq).length === 0) {
      return [`revert sent (ledger #${r.seq}) over a SUCCEEDED payment without a refund decision`];
    }
    if (!p.transferId || p.runnerId !== runner) {
      return [
        `revert sent (ledger #${r.seq}) over a payment SUCCEEDED to ${p.runnerId ?? 'nobody'} (transfer ${p.transferId ?? 'none'}), not this order's payout`,
      ];
    }
    return [];
  });
}

/** markPaid accepted while the saga's own revert was still queued. */
function markPaidOverQueuedRevert(f: OrderFacts): string[] {
  const settled = [...f.refunds, ...f.reverts];
  return decided(f, 'markPaid')
    .filter(
      (d) => countBefore(f.revertRequests, d.sentAtSeq) > countBefore(settled, d.acceptedAtSeq),
    )
    .map((d) => `markPaid accepted (ledger #${d.acceptedAtSeq}) while a revert was still queued`);
}

/**
 * Release requests after the first: each must be an operator's resend, sent while the
 * payment showed no transfer (the operator vouched that none was queued; one that was is
 * the operator's call, not the saga's).
 */
function extraReleases(f: OrderFacts): { found: string[]; explained: boolean } {
  const found: string[] = [];
  const extra = f.releases.slice(1);
  const resends = decided(f, 'resend').length;
  if (extra.length > resends) {
    found.push(`${f.releases.length} release requests queued (${resends} operator resends)`);
  }
  for (const r of extra) {
    if (countBefore(f.transfers, r.seq) > 0) {
      found.push(`release re-sent (ledger #${r.seq}) after the payment showed a transfer`);
    }
  }
  return { found, explained: found.length === 0 && extra.length > 0 };
}

/** At most one queued release and one transfer, never with a revert, never after a change. */
function moneyViolations(f: OrderFacts): string[] {
  const extra = extraReleases(f);
  const found: string[] = [...extra.found];
  if (f.transfers.length > 1 && !extra.explained) found.push(`${f.transfers.length} transfers`);
  const reverts = [...f.revertRequests, ...f.refunds];
  const refundFirst = reverts.length > 0 && decided(f, 'refund', reverts[0]?.seq).length > 0;
  if (f.transfers.length > 0 && reverts.length > 0 && !refundFirst) {
    found.push('a transfer and a revert on one payment');
  }
  if (f.releases.length > 0 && f.claims !== 1) {
    found.push(`a release queued with ${f.claims} release claims`);
  }
  found.push(
    ...revertsOverQueuedRelease(f),
    ...revertsOverPayout(f),
    ...markPaidOverQueuedRevert(f),
  );
  const paidRelease = f.transfers.length > 0 ? f.releases[0] : undefined;
  if (paidRelease) {
    const changes = [
      ...f.cancellations.map((e) => ({ kind: 'cancelled', seq: e.seq })),
      ...f.supportChanges.filter((c) => c.kind !== 'delivered'),
    ];
    const before = changes.find((c) => c.seq < paidRelease.seq);
    if (before) found.push(`${PAID_AFTER_CHANGE} ${before.kind} before the release`);
  }
  return found;
}

/** Every run of the order's workflow id is one the API answered with or a reset created. */
function runViolations(f: OrderFacts): string[] {
  if (f.runs.found.length === 0) return ['no saga'];
  const stray = f.runs.found.filter((run) => !f.runs.known.includes(run));
  return stray.length > 0
    ? [`${stray.length} of ${f.runs.found.length} saga runs started by nobody the suite knows`]
    : [];
}

function describeState(f: OrderFacts): string {
  return `order ${f.order?.status}, payment ${f.payment?.status}, ${f.releases.length} release(s) queued, ${f.transfers.length} transfer(s), ${f.revertRequests.length} revert request(s)`;
}

/**
 * The saga still watches a payout an operator recorded: waiting for the payment to settle,
 * or parked (alarmed) on that watch: PAYOUT_NOT_SETTLED, a read of the payment that keeps
 * failing, or any park on the way of a refund an operator decided after the markPaid (the
 * money going back, then the order's cancel: the COMPLETED order is what it undoes).
 */
function watchingPayout(f: OrderFacts): boolean {
  const progress = f.saga?.status === 'RUNNING' ? f.saga.progress : undefined;
  if (!progress) return false;
  const parked = progress.status === 'NEEDS_OPERATOR' ? progress.parked : undefined;
  if (!parked) return progress.waitingFor !== null;
  // Decisions are listed as the saga accepted them.
  const markPaid = f.decisions.findIndex((d) => d.action === 'markPaid');
  const refundAfter =
    markPaid >= 0 && f.decisions.slice(markPaid + 1).some((d) => d.action === 'refund');
  return (
    parked.reason === 'PAYOUT_NOT_SETTLED' ||
    parked.message.includes('read of the payment marked paid') ||
    refundAfter
  );
}

/**
 * An order COMPLETED: its payment SUCCEEDED with a transfer to the order's runner (or to
 * the saga's runner, on an operator's markPaid), or an operator recorded a payout and the
 * saga still watches the payment. A markPaid is the operator's attestation of the payout:
 * a payment settled SUCCEEDED without a transfer id (what PAYMENT_STATE_UNEXPECTED parks
 * for) is the payout the operator found. A payment FAILED, REVERTED, AUTHORIZED or
 * SUCCEEDED to another runner stays a violation unless the saga still watches it.
 */
function completedViolations(f: OrderFacts): string[] {
  if (f.order?.status !== 'COMPLETED' || changedBySupportAfterEnd(f)) return [];
  const p = f.payment;
  const markPaid = decided(f, 'markPaid').length > 0;
  const paidTo = p?.status === 'SUCCEEDED' && p.transferId ? f.payment?.runnerId : undefined;
  if (paidTo && (paidTo === f.order.runnerId || (markPaid && paidTo === f.saga?.runnerId))) {
    return [];
  }
  const attested =
    p?.status === 'SUCCEEDED' &&
    !p.transferId &&
    (p.runnerId === null || p.runnerId === f.saga?.runnerId);
  if (markPaid && (attested || watchingPayout(f))) return [];
  return [`${COMPLETED_UNPAID} ${describeState(f)}, paid to ${f.payment?.runnerId ?? 'nobody'}`];
}

/**
 * Support changed the order after the saga's last status write: the order's status is
 * support's, not the saga's, to account for.
 */
function changedBySupportAfterEnd(f: OrderFacts): boolean {
  const bySupport = f.supportChanges.filter((c) => c.kind !== 'reassigned').map((c) => c.seq);
  const lastWrite = f.statusChanges.filter((e) => !bySupport.includes(e.seq)).at(-1)?.seq ?? 0;
  // A reassignment writes no ledger entry: it carries the position of the entry before it.
  return f.supportChanges.some(
    (c) => c.seq > lastWrite || (c.seq === lastWrite && c.kind === 'reassigned'),
  );
}

/** The failure a FAILED saga reports must be the original cause, raised by the saga itself. */
function failureViolations(f: OrderFacts): string[] {
  const failure = f.saga?.failure;
  if (f.saga?.status !== 'FAILED' || !failure) return [];
  const known = Object.values(FailureType) as string[];
  if (failure.type && known.includes(failure.type)) return [];
  return [
    `saga FAILED with ${failure.kind} ${failure.type ?? '(no type)'}, not its cause: ${failure.message}`,
  ];
}

/** What the latest run's end means for the money; a violation when it cannot be accounted for. */
function classify(f: OrderFacts): { outcome: Outcome; violations: string[] } {
  const saga = f.saga;
  if (!saga) return { outcome: 'unsettled', violations: ['no saga'] };
  const ours = f.order?.runnerId === saga.runnerId;
  if (saga.status === 'RUNNING') {
    const progress = saga.progress;
    // An operator recorded a payout: the saga keeps watching the payment until it settles.
    const watching = decided(f, 'markPaid').length > 0 && progress?.waitingFor;
    if (progress?.status !== 'NEEDS_OPERATOR' && !watching) {
      const where = `step ${progress?.currentStep ?? '-'}, waiting for ${progress?.waitingFor ?? '-'}`;
      return { outcome: 'unsettled', violations: [`saga still RUNNING (${where})`] };
    }
    const attribute =
      saga.sagaState === 'NEEDS_OPERATOR' || watching
        ? []
        : [`parked, SagaState ${saga.sagaState}`];
    return { outcome: attribute.length ? 'unsettled' : 'parked', violations: attribute };
  }
  if (saga.status === 'COMPLETED') {
    const orderDone = f.order?.status === 'COMPLETED' || changedBySupportAfterEnd(f);
    const paid = orderDone && f.payment?.status === 'SUCCEEDED';
    // An operator's refund ends the saga well too: money back (a late release may then
    // show the payment FAILED), order CANCELLED.
    const refunded =
      decided(f, 'refund').length > 0 &&
      f.reverts.length + f.refunds.length > 0 &&
      (f.order?.status === 'CANCELLED' || changedBySupportAfterEnd(f));
    return {
      outcome: refunded ? 'cancelled' : 'paid',
      violations: paid || refunded ? [] : [`saga COMPLETED: ${describeState(f)}`],
    };
  }
  const ended = `saga ${saga.status}`;
  if (f.transfers.length > 0 && f.decisions.length === 0) {
    return { outcome: 'unsettled', violations: [`${ended} after a transfer: ${describeState(f)}`] };
  }
  if (f.payment?.status === 'REVERTED' && f.revertRequests.length > 0) {
    // Money back: the order is CANCELLED, or left as support set it (reassigned).
    const accounted = f.order?.status === 'CANCELLED' || !ours;
    return {
      outcome: 'cancelled',
      violations: accounted ? [] : [`${ended}, money returned, but ${describeState(f)}`],
    };
  }
  // Money moves only through a release or a revert request; a release that settled FAILED
  // moved nothing.
  const nothingMoved =
    f.transfers.length === 0 &&
    f.revertRequests.length === 0 &&
    f.releases.length <= f.releaseFailures.length;
  if (!nothingMoved) {
    if (f.decisions.length > 0) return { outcome: 'unsettled', violations: [] };
    return {
      outcome: 'unsettled',
      violations: [`${ended} with money in an unknown state: ${describeState(f)}`],
    };
  }
  // A later run (after a terminate or a reset) cannot know the status before the first one.
  const leftOpen =
    ours &&
    f.runs.known.length <= 1 &&
    !changedBySupportAfterEnd(f) &&
    (f.order?.status === 'DELIVERED' || f.order?.status === 'COMPLETED');
  return {
    outcome: 'untouched',
    violations: leftOpen ? [`${ended}, nothing moved, but order left ${f.order?.status}`] : [],
  };
}

export function verdict(facts: OrderFacts): OrderVerdict {
  const { outcome, violations } = classify(facts);
  return {
    orderId: facts.orderId,
    outcome,
    violations: [
      ...moneyViolations(facts),
      ...runViolations(facts),
      ...violations,
      ...completedViolations(facts),
      ...failureViolations(facts),
    ],
  };
}
