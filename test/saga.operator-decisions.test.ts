import type { WorkflowHandle } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DECIDE_UPDATE, type OperatorDecision } from '../common/workflow-safe/operator';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../common/workflow-safe/saga-settings';
import { SAGA_STATE_ATTRIBUTE } from '../common/workflow-safe/search-attributes';
import type { LedgerKind } from '../sandbox/services/state';
import { FAST_SETTINGS, parkedProgress, progressWhen, useHarness } from './support/harness';

/**
 * Operator decisions racing what the services do meanwhile (issue 17, defects 2, 4 and 5).
 * Requests a test must order are held by a fault that waits on a promise (`holdUntil`),
 * and queued releases and reverts by the sandbox's held queue: no timing is guessed.
 * HTTP and activity timeouts are long, so a held request is still the same attempt when
 * it is let go.
 */
describe('CompleteOrderWorkflow: operator decisions against a payment that moves', () => {
  const h = useHarness({ httpTimeoutMs: 20_000 });
  const started: WorkflowHandle[] = [];

  /** Parks RELEASE_UNCONFIRMED after the settlement window. */
  const PARK_FAST: Partial<SagaSettings> = {
    ...FAST_SETTINGS,
    settlementWaitMs: 1_000,
    activityTimeoutMs: 30_000,
  };

  const who = { operator: 'ops@example.com', reason: 'checked Stripe and the Payment Service' };

  afterEach(async () => {
    // A saga still parked when a test failed would outlive this file's worker.
    for (const handle of started.splice(0)) await handle.terminate('test done').catch(() => {});
  });

  const count = (kind: LedgerKind, orderId: string) =>
    h.sandbox.state.entries(kind, orderId).length;

  const decide = (
    handle: WorkflowHandle,
    decision: Omit<OperatorDecision, 'operator' | 'reason'>,
  ) => handle.executeUpdate(DECIDE_UPDATE, { args: [{ ...who, ...decision }] });

  /** A promise a held request waits on, and the function that lets it go. */
  function gate(): { until: Promise<void>; open: () => void } {
    let open = () => {};
    const until = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { until, open };
  }

  /** Resolves once `holds` is true, checking with backoff. */
  async function until(holds: () => boolean): Promise<void> {
    for (let waitMs = 10; !holds(); waitMs = Math.min(waitMs * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** A saga parked RELEASE_UNCONFIRMED whose release is queued and held, unsettled. */
  async function parkedWithHeldRelease(settings: Partial<SagaSettings> = PARK_FAST) {
    h.sandbox.state.holdQueue = true;
    const { seeded, handle } = await h.seedAndStart({}, settings);
    started.push(handle);
    const progress = await parkedProgress(handle);
    expect(progress.parked?.reason).toBe('RELEASE_UNCONFIRMED');
    expect(h.sandbox.state.heldCount).toBe(1);
    return { seeded, handle };
  }

  describe('resend (defect 2)', () => {
    it('is not sent when the re-check in flight as it arrived finds the first release settled', async () => {
      const { state, faults } = h.sandbox;
      const { seeded, handle } = await parkedWithHeldRelease();
      // The saga's next re-check reads the payment and is held there.
      const slowRead = gate();
      const recheck = faults.inject({
        route: 'paymentStatus',
        key: seeded.orderId,
        holdUntil: slowRead.until,
      });
      await until(() => recheck.hits === 1);
      // The operator's check reads AUTHORIZED: the decision is accepted.
      await decide(handle, { action: 'resend' });
      // The first release settles, then the re-check reads SUCCEEDED.
      state.holdQueue = false;
      state.settleHeld();
      slowRead.open();
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result.outcome).toBe('COMPLETED');
      expect(result.decisions).toMatchObject([{ action: 'resend' }]);
      expect(count('release-request', seeded.orderId)).toBe(1);
      expect(count('transfer', seeded.orderId)).toBe(1);
      // The saga itself gave the resend up: the guarded release ran only for the first.
      const { events } = await handle.fetchHistory();
      const sends = (events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendRelease',
      );
      expect(sends).toHaveLength(1);
    });

    it('re-reads the payment right before it sends, and sends nothing once it settled', async () => {
      const { state, faults } = h.sandbox;
      const { seeded, handle } = await parkedWithHeldRelease();
      // The decision's own order read passes; the release activity's order read is held.
      faults.inject({ route: 'getOrderDetails', key: seeded.orderId });
      const activityRead = gate();
      const held = faults.inject({
        route: 'getOrderDetails',
        key: seeded.orderId,
        holdUntil: activityRead.until,
      });
      await decide(handle, { action: 'resend' });
      await until(() => held.hits === 1);
      state.holdQueue = false;
      state.settleHeld(); // the first release pays the runner while the resend is checked
      activityRead.open();
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result.outcome).toBe('COMPLETED');
      expect(count('release-request', seeded.orderId)).toBe(1);
      expect(count('transfer', seeded.orderId)).toBe(1);
    });
  });

  describe('refund (defect 4)', () => {
    it('parks again, reverting nothing, over a payment SUCCEEDED to another runner, until it shows REVERTED', async () => {
      const { state } = h.sandbox;
      const seeded = state.seedOrder();
      const payment = state.payments.get(seeded.paymentId);
      Object.assign(payment ?? {}, {
        status: 'SUCCEEDED',
        transferId: 'tr_other',
        runnerId: 'user_other',
      });
      const handle = await h.start({ ...seeded, settings: PARK_FAST });
      started.push(handle);
      expect((await parkedProgress(handle)).parked?.reason).toBe('PAYMENT_STATE_UNEXPECTED');
      await decide(handle, { action: 'refund' });
      const again = await progressWhen(
        handle,
        (p) =>
          p.status === 'NEEDS_OPERATOR' && p.parked?.message.includes('nothing reverted') === true,
      );
      expect(again.parked?.reason).toBe('PAYMENT_STATE_UNEXPECTED');
      expect(count('revert-request', seeded.orderId)).toBe(0);
      // The payments team returned the money by hand.
      Object.assign(payment ?? {}, { status: 'REVERTED' });
      await decide(handle, { action: 'refund' });
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result).toMatchObject({ outcome: 'REFUNDED', orderStatus: 'CANCELLED' });
      expect(result.decisions).toHaveLength(2);
      expect(count('revert-request', seeded.orderId)).toBe(0);
      expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
    });

    /**
     * An operator's refund from RELEASE_UNCONFIRMED; the held release pays the runner
     * after the refund read AUTHORIZED and before its revert is queued (the revert POST is
     * held), and the revert stays held in the queue behind it.
     */
    async function refundRacingTheRelease(revertWaitMs: number) {
      const { state, faults } = h.sandbox;
      const { seeded, handle } = await parkedWithHeldRelease({ ...PARK_FAST, revertWaitMs });
      const revertPost = gate();
      const held = faults.inject({
        route: 'revert',
        key: seeded.paymentId,
        holdUntil: revertPost.until,
      });
      await decide(handle, { action: 'refund' });
      await until(() => held.hits === 1);
      state.settleHeld(); // the release: a transfer
      expect(count('transfer', seeded.orderId)).toBe(1);
      return { seeded, handle, revertPost };
    }

    it('keeps waiting for REVERTED through the revert window when a release pays first, and ends when the revert lands', async () => {
      const { state, faults } = h.sandbox;
      const { seeded, handle, revertPost } = await refundRacingTheRelease(60_000);
      // Counts the saga's payment reads from here on: each sees the payout.
      const firstRead = faults.inject({ route: 'paymentStatus', key: seeded.orderId });
      const secondRead = faults.inject({ route: 'paymentStatus', key: seeded.orderId });
      revertPost.open();
      const progress = await progressWhen(
        handle,
        (p) => p.status === 'NEEDS_OPERATOR' || secondRead.hits > 0,
      );
      expect(firstRead.hits).toBe(1);
      // It saw SUCCEEDED and read again: still waiting, not parked TRANSFER_RACED_REVERT.
      expect(progress).toMatchObject({ status: 'RUNNING', waitingFor: 'payment revert' });
      expect(state.heldCount).toBe(1);
      state.holdQueue = false;
      state.settleHeld(); // the revert refunds the customer
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result).toMatchObject({ outcome: 'REFUNDED', orderStatus: 'CANCELLED' });
      expect(result.payment?.status).toBe('REVERTED');
      expect(count('refund', seeded.orderId)).toBe(1);
      expect(count('release-request', seeded.orderId)).toBe(1);
    });

    it('parks TRANSFER_RACED_REVERT only after the revert window, and resumes by itself when the revert lands', async () => {
      const { state } = h.sandbox;
      const { seeded, handle, revertPost } = await refundRacingTheRelease(1_000);
      revertPost.open();
      const parked = await progressWhen(
        handle,
        (p) => p.parked?.reason === 'TRANSFER_RACED_REVERT',
      );
      expect(parked.parked?.message).toContain('not REVERTED within the revert window');
      expect(parked.parked?.allowed).toEqual(['markPaid', 'refund']);
      state.holdQueue = false;
      state.settleHeld(); // the lost revert was only slow
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result).toMatchObject({ outcome: 'REFUNDED', orderStatus: 'CANCELLED' });
      expect(result.decisions).toMatchObject([{ action: 'refund' }]);
      expect(count('revert-request', seeded.orderId)).toBe(1);
      expect(count('refund', seeded.orderId)).toBe(1);
    });
  });

  describe('mark-paid (defect 5)', () => {
    it('completes the order, keeps watching the payment, and parks PAYOUT_NOT_SETTLED when the release then fails', async () => {
      const { state } = h.sandbox;
      const { seeded, handle } = await parkedWithHeldRelease();
      await decide(handle, { action: 'markPaid', transferId: 'tr_found5' });
      const completed = await progressWhen(handle, (p) => p.stepsDone.includes('markCompleted'));
      expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
      // The payment is still AUTHORIZED: the saga watches it (or parked after the window).
      expect(completed.status).not.toBe('COMPLETED');
      state.failingSettlements.add(seeded.paymentId);
      state.holdQueue = false;
      state.settleHeld(); // the queued release FAILS: the runner is not paid
      const parked = await progressWhen(
        handle,
        (p) => p.parked?.reason === 'PAYOUT_NOT_SETTLED' && p.parked.message.includes('FAILED'),
      );
      expect(parked).toMatchObject({ status: 'NEEDS_OPERATOR' });
      expect(parked.parked?.message).toContain('tr_found5');
      expect(parked.parked?.allowed).toEqual(['markPaid', 'refund']);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(SAGA_STATE_ATTRIBUTE)).toBe('NEEDS_OPERATOR');
      expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
      await decide(handle, { action: 'refund' });
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result).toMatchObject({ outcome: 'REFUNDED', orderStatus: 'CANCELLED' });
      expect(result.payment?.status).toBe('REVERTED');
      expect(count('transfer', seeded.orderId)).toBe(0);
    });

    it('ends COMPLETED once the watched payment settles as this runner’s payout', async () => {
      const { state } = h.sandbox;
      const { seeded, handle } = await parkedWithHeldRelease();
      await decide(handle, { action: 'markPaid', transferId: 'tr_found6' });
      // Parks once the settlement window passes with the payment still AUTHORIZED.
      const parked = await progressWhen(
        handle,
        (p: SagaProgress) => p.parked?.reason === 'PAYOUT_NOT_SETTLED',
      );
      expect(parked.parked?.message).toContain('still AUTHORIZED');
      state.holdQueue = false;
      state.settleHeld(); // the release pays the runner: the park's re-check sees it
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result.outcome).toBe('COMPLETED');
      expect(result.payment).toMatchObject({ status: 'SUCCEEDED', runnerId: seeded.runnerId });
      expect(result.transferId).toBe(state.entries('transfer', seeded.orderId)[0]?.detail);
      expect(count('release-request', seeded.orderId)).toBe(1);
    });
  });
});
