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

  const queued = (orderId: string) => h.sandbox.state.nextEntry('release-request', orderId);

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

    // A run reset to just before an operator's resend is sent: the new run replays the
    // decision and finds its resend record taken by the run it was reset from.
    const twice = await parkedWithLostRelease();
    state.holdQueue = true;
    const resent = queued(twice.seeded.orderId);
    await decide(twice.handle, { ...OPERATOR, action: 'resend' });
    await resent;
    const resetResend = await resetAround(h.client, twice.handle, 'sendRelease', 'before', 'last');
    await progressWhen(
      resetResend,
      (p) => p.status === 'RUNNING' && p.waitingFor === 'payment settlement',
    );
    state.holdQueue = false;
    state.settleHeld();
    await record('operator-resend-replayed-after-reset', resetResend);
    expect(state.entries('release-request', twice.seeded.orderId)).toHaveLength(2);
    expect(state.entries('transfer', twice.seeded.orderId)).toHaveLength(1);
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

    // A failure before the payment was read, with an earlier run's release queued: the
    // payment read answers 404, the read parks as a compensation, the operator retries.
    state.holdQueue = true;
    const unread = state.seedOrder();
    const unreadSent = queued(unread.orderId);
    const unreadFirst = await h.start({ ...unread, settings: FAST_SETTINGS });
    await unreadSent;
    await unreadFirst.terminate('recording: operator terminated');
    const missing = faults.inject({
      route: 'paymentStatus',
      key: unread.orderId,
      status: 404,
      times: Number.POSITIVE_INFINITY,
    });
    const unreadSecond = await h.start({ ...unread, settings: FAST_SETTINGS });
    await parkedProgress(unreadSecond);
    state.holdQueue = false;
    state.settleHeld();
    missing.remove();
    await decide(unreadSecond, { ...OPERATOR, action: 'retry' });
    await record('compensation-unread-payment-earlier-run-paid', unreadSecond);
    expect(state.entries('transfer', unread.orderId)).toHaveLength(1);

    // The same before the payment read (no Connect account), the payment AUTHORIZED: the
    // compensation confirms the earlier run's release, which pays.
    state.holdQueue = true;
    const noAccountYet = state.seedOrder();
    const noAccountSent = queued(noAccountYet.orderId);
    const noAccountFirst = await h.start({ ...noAccountYet, settings: FAST_SETTINGS });
    await noAccountSent;
    await noAccountFirst.terminate('recording: operator terminated');
    state.connectAccounts.set(noAccountYet.runnerId, null);
    const noAccountSecond = await h.start({ ...noAccountYet, settings: noAccount });
    await progressWhen(
      noAccountSecond,
      (p) => p.status === 'COMPENSATING' && p.waitingFor === 'payment settlement',
    );
    state.holdQueue = false;
    state.settleHeld();
    await record('compensation-confirms-unseen-earlier-release', noAccountSecond);
    expect(state.entries('transfer', noAccountYet.orderId)).toHaveLength(1);

    // A completed saga reset to before markDelivered after support moved the order: the
    // compensation finds the payout and parks ORDER_CHANGED_AFTER_PAYOUT; markPaid ends it.
    const payout = await h.seedAndStart();
    await payout.handle.result();
    Object.assign(state.orders.get(payout.seeded.orderId) ?? {}, { orderStatus: 'PLACED' });
    const afterPayout = await resetAround(h.client, payout.handle, 'transitionOrder', 'before');
    await parkedProgress(afterPayout);
    await decide(afterPayout, {
      ...OPERATOR,
      action: 'markPaid',
      transferId: state.payments.get(payout.seeded.paymentId)?.transferId ?? undefined,
    });
    await record('reset-after-payout-order-changed', afterPayout);

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

    // REVERT_REJECTED: the release refused (not queued), the revert refused too; once the
    // Payment Service is fixed an operator's refund returns the money.
    const rejectedTwice = state.seedOrder();
    // Release and revert name the payment, not the order.
    const key = rejectedTwice.paymentId;
    faults.inject({ route: 'release', status: 400, key });
    const revertRefused = faults.inject({
      route: 'revert',
      status: 400,
      key,
      times: Number.POSITIVE_INFINITY,
    });
    const revertRejected = await h.start({ ...rejectedTwice, settings: FAST_SETTINGS });
    await parkedProgress(revertRejected);
    revertRefused.remove();
    await decide(revertRejected, { action: 'refund', ...OPERATOR });
    await record('revert-rejected-then-refunded', revertRejected);

    // REVERT_UNCONFIRMED: the revert is queued but not applied within the window; it lands
    // while the saga is parked, and the park's own re-check ends it.
    state.holdQueue = true;
    const slowRevert = state.seedOrder();
    faults.inject({ route: 'release', status: 400, key: slowRevert.paymentId });
    const unconfirmed = await h.start({
      ...slowRevert,
      settings: { ...FAST_SETTINGS, revertWaitMs: 1_000 },
    });
    await parkedProgress(unconfirmed);
    state.holdQueue = false;
    state.settleHeld();
    await record('revert-unconfirmed-then-applied', unconfirmed);

    // ORDER_CHANGED_AFTER_PAYOUT: support cancels the order while the release settles; an
    // operator decides the payout stands.
    state.holdQueue = true;
    const changed = state.seedOrder();
    const changedSent = queued(changed.orderId);
    const paidThenChanged = await h.start({ ...changed, settings: FAST_SETTINGS });
    await changedSent;
    const order = state.orders.get(changed.orderId);
    if (order) order.orderStatus = 'CANCELLED';
    state.holdQueue = false;
    state.settleHeld();
    await parkedProgress(paidThenChanged);
    const transferId = state.payments.get(changed.paymentId)?.transferId ?? undefined;
    await decide(paidThenChanged, { action: 'markPaid', ...OPERATOR, transferId });
    await record('order-changed-after-payout-marked-paid', paidThenChanged);
  });
});
