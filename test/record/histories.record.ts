/**
 * Records the histories that test/replay.test.ts replays. A workflow change ships as a new
 * pinned Worker Deployment build (ADR 0012): run `npm run record-histories` in the commit
 * that changes the workflow, and the new files replace the old ones. Only a fix that must
 * reach sagas already running uses `patched()`, and then the older histories stay too.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECIDE_UPDATE, type OperatorDecision } from '../../common/workflow-safe/operator';
import type { LedgerEntry } from '../../sandbox';
import {
  FAST_SETTINGS,
  type Harness,
  parkedProgress,
  progressWhen,
  startHarness,
} from '../support/harness';
import { resetAround } from '../support/reset';

const OUT = join(import.meta.dirname, '..', 'histories');
const PARK_FAST = { ...FAST_SETTINGS, settlementWaitMs: 1_000 };

describe('record histories', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ httpTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function record(name: string, handle: WorkflowHandle): Promise<void> {
    await handle.result().catch(() => undefined);
    const history = await handle.fetchHistory();
    await writeFile(join(OUT, `${name}.json`), `${historyToJSON(history)}\n`);
  }

  const queued = (orderId: string) =>
    new Promise<void>((resolve) => {
      const listener = (entry: LedgerEntry) => {
        if (entry.kind !== 'release-request' || entry.orderId !== orderId) return;
        h.sandbox.state.off('ledger', listener);
        resolve();
      };
      h.sandbox.state.on('ledger', listener);
    });

  /** A saga parked RELEASE_UNCONFIRMED: its release was queued and then lost. */
  async function parkedWithLostRelease() {
    h.sandbox.state.holdQueue = true;
    const started = await h.seedAndStart({}, PARK_FAST);
    await parkedProgress(started.handle);
    h.sandbox.state.loseHeld();
    h.sandbox.state.holdQueue = false;
    return started;
  }

  const OPERATOR = { operator: 'ops@example.com', reason: 'recording' };

  async function decide(handle: WorkflowHandle, decision: OperatorDecision) {
    await handle.executeUpdate(DECIDE_UPDATE, { args: [decision] });
  }

  it('records each saga path', async () => {
    const { state, faults } = h.sandbox;
    await record('completed', (await h.seedAndStart()).handle);
    await record('already-completed', (await h.seedAndStart({ orderStatus: 'COMPLETED' })).handle);
    await record('order-cancelled', (await h.seedAndStart({ orderStatus: 'CANCELLED' })).handle);
    faults.inject({ route: 'release', status: 400 });
    await record('release-rejected-compensated', (await h.seedAndStart()).handle);
    faults.inject({ route: 'release', status: 503, times: 2 });
    await record('release-not-queued-then-sent', (await h.seedAndStart()).handle);
    faults.inject({ route: 'release', status: 503, times: Number.POSITIVE_INFINITY });
    const window = { ...FAST_SETTINGS, releaseRetryWindowMs: 1_000, releaseRetryIntervalMs: 100 };
    await record('retry-window-expired-compensated', (await h.seedAndStart({}, window)).handle);
    faults.clear();
    faults.inject({ route: 'release', afterProcessing: true, status: 500 });
    await record('release-500-confirmed', (await h.seedAndStart()).handle);
    await record('settlement-failed', (await h.seedAndStart({ settlementFails: true })).handle);
    const noAccount = { ...FAST_SETTINGS, connectAccountWaitMs: 1_000, connectAccountPollMs: 200 };
    await record(
      'connect-account-missing',
      (await h.seedAndStart({ connectAccountId: null }, noAccount)).handle,
    );

    state.holdQueue = true;
    const late = await h.seedAndStart({}, PARK_FAST);
    await parkedProgress(late.handle);
    state.holdQueue = false;
    state.settleHeld();
    await record('parked-then-settled', late.handle);

    const resend = await parkedWithLostRelease();
    await decide(resend.handle, {
      action: 'resend',
      operator: 'ops@example.com',
      reason: 'no transfer in Stripe',
    });
    await record('operator-resend', resend.handle);
    const paid = await parkedWithLostRelease();
    await decide(paid.handle, {
      action: 'markPaid',
      operator: 'ops@example.com',
      reason: 'found it',
      transferId: 'tr_found1',
    });
    // The saga watches the payment until the Payment Service records that payout.
    await progressWhen(paid.handle, (p) => p.stepsDone.includes('markCompleted'));
    Object.assign(state.payments.get(paid.seeded.paymentId) ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_found1',
      runnerId: paid.seeded.runnerId,
    });
    await record('operator-mark-paid', paid.handle);
    const refund = await parkedWithLostRelease();
    await decide(refund.handle, {
      action: 'refund',
      operator: 'ops@example.com',
      reason: 'customer refund',
    });
    await record('operator-refund', refund.handle);

    // An operator recorded a payout while the release was still queued; it then FAILED.
    state.holdQueue = true;
    const unsettled = await h.seedAndStart({}, PARK_FAST);
    await parkedProgress(unsettled.handle);
    await decide(unsettled.handle, { ...OPERATOR, action: 'markPaid', transferId: 'tr_found2' });
    await progressWhen(unsettled.handle, (p) => p.stepsDone.includes('markCompleted'));
    state.failingSettlements.add(unsettled.seeded.paymentId);
    state.holdQueue = false;
    state.settleHeld();
    await progressWhen(
      unsettled.handle,
      (p) => p.parked?.reason === 'PAYOUT_NOT_SETTLED' && p.parked.message.includes('FAILED'),
    );
    await decide(unsettled.handle, { ...OPERATOR, action: 'refund' });
    await record('payout-not-settled-refunded', unsettled.handle);

    // A refund over a payment SUCCEEDED to another runner parks again until it is REVERTED.
    const other = state.seedOrder();
    const otherPayment = state.payments.get(other.paymentId);
    Object.assign(otherPayment ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_other',
      runnerId: 'user_other',
    });
    const unexpected = await h.start({ ...other, settings: PARK_FAST });
    await parkedProgress(unexpected);
    await decide(unexpected, { ...OPERATOR, action: 'refund' });
    await progressWhen(unexpected, (p) => p.parked?.message.includes('nothing reverted') === true);
    Object.assign(otherPayment ?? {}, { status: 'REVERTED' });
    await decide(unexpected, { ...OPERATOR, action: 'refund' });
    await record('refund-over-unexpected-payment', unexpected);

    // A refund whose revert is queued behind a release that pays first: parked after the
    // revert window, resumed when the revert lands.
    state.holdQueue = true;
    const raced = await h.seedAndStart({}, { ...PARK_FAST, revertWaitMs: 1_000 });
    await parkedProgress(raced.handle);
    let openRevert = () => {};
    const revertHeld = faults.inject({
      route: 'revert',
      key: raced.seeded.paymentId,
      holdUntil: new Promise<void>((resolve) => {
        openRevert = resolve;
      }),
    });
    await decide(raced.handle, { ...OPERATOR, action: 'refund' });
    await progressWhen(raced.handle, () => revertHeld.hits > 0);
    state.settleHeld(); // the release pays the runner
    openRevert(); // the revert is queued, and held
    await progressWhen(raced.handle, (p) => p.parked?.reason === 'TRANSFER_RACED_REVERT');
    state.holdQueue = false;
    state.settleHeld();
    await record('revert-raced-by-release-refunded', raced.handle);

    const waiting = await h.seedAndStart(
      { connectAccountId: null },
      { ...FAST_SETTINGS, connectAccountPollMs: 100 },
    );
    await progressWhen(waiting.handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    await waiting.handle.cancel();
    await record('cancelled-before-pivot', waiting.handle);

    state.holdQueue = true;
    const seeded = state.seedOrder();
    const sent = queued(seeded.orderId);
    const afterPivot = await h.start({ ...seeded, settings: FAST_SETTINGS });
    await sent;
    await afterPivot.cancel();
    await progressWhen(afterPivot, (p) => p.cancelRequested === true);
    state.holdQueue = false;
    state.settleHeld();
    await record('cancel-after-pivot-completed', afterPivot);

    state.holdQueue = true;
    const again = state.seedOrder();
    const againSent = queued(again.orderId);
    const first = await h.start({ ...again, settings: FAST_SETTINGS });
    await againSent;
    await first.terminate('recording: operator terminated');
    const second = await h.start({ ...again, settings: FAST_SETTINGS });
    await progressWhen(second, (p) => p.waitingFor === 'payment settlement');
    state.holdQueue = false;
    state.settleHeld();
    await record('claimed-by-earlier-run-confirmed', second);
    expect(state.entries('release-request', again.orderId)).toHaveLength(1);

    // A run reset to after its claim was granted is cancelled while waiting to re-send: its
    // compensation finds the claim held by the run it was reset from, and confirms that
    // run's release instead of reverting.
    state.holdQueue = true;
    const reset = state.seedOrder();
    const resetSent = queued(reset.orderId);
    const original = await h.start({
      ...reset,
      settings: { ...FAST_SETTINGS, releaseRetryIntervalMs: 60_000 },
    });
    await resetSent;
    await progressWhen(original, (p) => p.waitingFor === 'payment settlement');
    const outage = faults.inject({
      route: 'getOrderDetails',
      key: reset.orderId,
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const resetRun = await resetAround(h.client, original, 'claimRelease', 'after');
    await progressWhen(resetRun, (p) => p.waitingFor?.startsWith('payment service') === true);
    await resetRun.cancel();
    await progressWhen(resetRun, (p) => p.waitingFor === 'payment settlement');
    outage.remove();
    state.holdQueue = false;
    state.settleHeld();
    await record('compensation-confirms-earlier-release', resetRun);
    expect(state.entries('revert-request', reset.orderId)).toHaveLength(0);
    expect(state.entries('transfer', reset.orderId)).toHaveLength(1);

    // STEP_REJECTED after the pivot: COMPLETED refused (400), retried by an operator.
    const rejected = state.seedOrder();
    let refusal: { remove(): void } | undefined;
    const rejectedSent = queued(rejected.orderId).then(() => {
      refusal = faults.inject({
        route: 'updateOrderStatus',
        status: 400,
        key: rejected.orderId,
        times: Number.POSITIVE_INFINITY,
      });
    });
    const rejectedRun = await h.start({ ...rejected, settings: FAST_SETTINGS });
    await rejectedSent;
    await parkedProgress(rejectedRun);
    refusal?.remove();
    await decide(rejectedRun, { action: 'retry', operator: 'ops@example.com', reason: 'fixed' });
    await record('step-rejected-then-retried', rejectedRun);

    // STEP_UNAVAILABLE in a compensation: the restore fails past the window, then recovers.
    const compensating = { ...noAccount, connectAccountWaitMs: 2_000, stepRetryWindowMs: 1_000 };
    const down = await h.seedAndStart({ connectAccountId: null }, compensating);
    await progressWhen(down.handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    const restoreOutage = faults.inject({
      route: 'updateOrderStatus',
      status: 503,
      key: down.seeded.orderId,
      times: Number.POSITIVE_INFINITY,
    });
    await parkedProgress(down.handle);
    restoreOutage.remove();
    await record('step-unavailable-compensation-resumed', down.handle);

    // STEP_REJECTED in a compensation: the restore refused, done by hand (skip).
    const byHand = await h.seedAndStart({ connectAccountId: null }, compensating);
    await progressWhen(byHand.handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    const refused = faults.inject({
      route: 'updateOrderStatus',
      status: 400,
      key: byHand.seeded.orderId,
      times: Number.POSITIVE_INFINITY,
    });
    await parkedProgress(byHand.handle);
    refused.remove();
    await decide(byHand.handle, { action: 'skip', operator: 'ops@example.com', reason: 'by hand' });
    await record('compensation-skipped-by-operator', byHand.handle);
  });
});
