/**
 * The claims the service makes, checked per order against what really moved (the sandbox
 * ledger) and what the sagas say (Temporal): each payment paid out at most once and never
 * both paid and returned, and every saga ended in a state someone can account for.
 */
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

/** At most one queued release and one transfer, never with a revert, never after a change. */
function moneyViolations(f: OrderFacts): string[] {
  const found: string[] = [];
  if (f.releases.length > 1) found.push(`${f.releases.length} release requests queued`);
  if (f.transfers.length > 1) found.push(`${f.transfers.length} transfers`);
  if (f.transfers.length > 0 && f.revertRequests.length + f.refunds.length > 0) {
    found.push('a transfer and a revert on one payment');
  }
  if (f.releases.length > 0 && f.claims !== 1) {
    found.push(`a release queued with ${f.claims} release claims`);
  }
  const paidRelease = f.transfers.length > 0 ? f.releases[0] : undefined;
  if (paidRelease) {
    const changes = [
      ...f.cancellations.map((e) => ({ kind: 'cancelled', seq: e.seq })),
      ...f.supportChanges,
    ];
    const before = changes.find((c) => c.seq < paidRelease.seq);
    if (before) found.push(`paid out although the order was ${before.kind} before the release`);
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

/** What the latest run's end means for the money; a violation when it cannot be accounted for. */
function classify(f: OrderFacts): { outcome: Outcome; violations: string[] } {
  const saga = f.saga;
  if (!saga) return { outcome: 'unsettled', violations: ['no saga'] };
  const ours = f.order?.runnerId === saga.runnerId;
  if (saga.status === 'RUNNING') {
    const progress = saga.progress;
    if (progress?.status !== 'NEEDS_OPERATOR') {
      const where = `step ${progress?.currentStep ?? '-'}, waiting for ${progress?.waitingFor ?? '-'}`;
      return { outcome: 'unsettled', violations: [`saga still RUNNING (${where})`] };
    }
    const attribute =
      saga.sagaState === 'NEEDS_OPERATOR' ? [] : [`parked, SagaState ${saga.sagaState}`];
    return { outcome: attribute.length ? 'unsettled' : 'parked', violations: attribute };
  }
  if (saga.status === 'COMPLETED') {
    const paid = f.transfers.length === 1 && f.order?.status === 'COMPLETED';
    return { outcome: 'paid', violations: paid ? [] : [`saga COMPLETED: ${describeState(f)}`] };
  }
  const ended = `saga ${saga.status}`;
  if (f.transfers.length > 0) {
    return { outcome: 'unsettled', violations: [`${ended} after a transfer: ${describeState(f)}`] };
  }
  if (f.payment?.status === 'REVERTED') {
    // Money back: the order is CANCELLED, or left as support set it (reassigned).
    const accounted = f.order?.status === 'CANCELLED' || !ours;
    return {
      outcome: 'cancelled',
      violations: accounted ? [] : [`${ended}, money returned, but ${describeState(f)}`],
    };
  }
  const nothingMoved =
    f.payment?.status === 'AUTHORIZED' && f.releases.length === 0 && f.revertRequests.length === 0;
  if (!nothingMoved) {
    return {
      outcome: 'unsettled',
      violations: [`${ended} with money in an unknown state: ${describeState(f)}`],
    };
  }
  const leftOpen = ours && (f.order?.status === 'DELIVERED' || f.order?.status === 'COMPLETED');
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
    violations: [...moneyViolations(facts), ...runViolations(facts), ...violations],
  };
}
