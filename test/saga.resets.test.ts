import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DECIDE_UPDATE } from '../common/workflow-safe/operator';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { FAST_SETTINGS, parkedProgress, progressWhen, useHarness } from './support/harness';
import { resetAround, resetBeforeUpdate } from './support/reset';

/**
 * A Temporal reset of a saga that already moved money: the new run replays the history up
 * to the reset point, and the server re-applies the operator's Updates received after it.
 * Whatever the reset point, the reset adds no release request and no transfer, and the
 * new run never ends FAILED after a payout.
 */
describe('CompleteOrderWorkflow: resets after money moved', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });
  const started: WorkflowHandle[] = [];
  afterEach(async () => {
    for (const handle of started.splice(0)) await handle.terminate('test done').catch(() => {});
  });

  const count = (kind: 'release-request' | 'transfer' | 'revert-request', orderId: string) =>
    h.sandbox.state.entries(kind, orderId).length;

  type History = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;

  /** Resolves once `holds` is true of the run's history, read with backoff. */
  async function historyWhen(handle: WorkflowHandle, holds: (events: History) => boolean) {
    for (let waitMs = 20; ; waitMs = Math.min(waitMs * 2, 500)) {
      if (holds((await handle.fetchHistory()).events ?? [])) return;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** How many sendRelease activities of the run have ended (completed or failed). */
  function sendsEnded(events: History): number {
    const sends = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendRelease')
        .map((e) => e.eventId?.toString()),
    );
    return events.filter((e) => {
      const ended = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
      return ended && sends.has(ended.scheduledEventId?.toString());
    }).length;
  }

  /**
   * The park has re-checked the payment at least once: a workflow task ran while parked, so
   * a reset can land inside the park (the one that accepts an Update may be speculative).
   */
  const recheckedWhileParked = (events: History) => {
    const parkedAt = events.findLastIndex((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    const read = events.findIndex(
      (e, i) => i > parkedAt && e.activityTaskCompletedEventAttributes !== undefined,
    );
    return (
      parkedAt >= 0 &&
      read > 0 &&
      events.some((e, i) => i > read && e.workflowTaskCompletedEventAttributes)
    );
  };

  describe("an operator's resend, then a reset", () => {
    it.each([
      ['a workflow task before the decision (the Update is re-applied)', 'beforeDecision'],
      ['the workflow task that schedules the resend (the acceptance replays)', 'beforeResend'],
    ] as const)('to %s sends no second resend: one transfer', async (_case, point) => {
      const { state } = h.sandbox;
      state.holdQueue = true;
      const { seeded, handle } = await h.seedAndStart(
        {},
        { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
      );
      started.push(handle);
      expect((await parkedProgress(handle)).parked?.reason).toBe('RELEASE_UNCONFIRMED');
      // The first release was lost: the operator's check (nothing queued, no transfer) is right.
      state.loseHeld();
      await historyWhen(handle, recheckedWhileParked);
      const updateId = randomUUID();
      const resent = state.nextEntry('release-request', seeded.orderId);
      await handle.executeUpdate(DECIDE_UPDATE, {
        updateId,
        args: [{ action: 'resend', operator: 'ops@example.com', reason: 'no transfer in Stripe' }],
      });
      await resent; // the resend is queued, and held
      await historyWhen(handle, (events) => sendsEnded(events) === 2);
      expect(count('release-request', seeded.orderId)).toBe(2);

      const reset =
        point === 'beforeDecision'
          ? await resetBeforeUpdate(h.client, handle, updateId)
          : await resetAround(h.client, handle, 'sendRelease', 'before', 'last');
      started.push(reset);
      // The new run takes the same decision (same Update id) and tries the resend again.
      await historyWhen(reset, (events) => sendsEnded(events) === 2);
      const progress = await progressWhen(reset, (p) => p.waitingFor === 'payment settlement');
      expect(count('release-request', seeded.orderId)).toBe(2);
      expect(state.heldCount).toBe(1);
      expect(progress.decisions).toMatchObject([{ action: 'resend', updateId }]);

      state.holdQueue = false;
      state.settleHeld();
      const result = (await reset.result()) as CompleteOrderResult;
      expect(result.outcome).toBe('COMPLETED');
      expect(count('release-request', seeded.orderId)).toBe(2);
      expect(count('transfer', seeded.orderId)).toBe(1);
      expect(count('revert-request', seeded.orderId)).toBe(0);
    });
  });

  it('to before markDelivered, after a payout and a support status move, parks ORDER_CHANGED_AFTER_PAYOUT instead of ending FAILED', async () => {
    const { state } = h.sandbox;
    const { seeded, handle } = await h.seedAndStart();
    expect(((await handle.result()) as CompleteOrderResult).outcome).toBe('COMPLETED');
    expect(count('transfer', seeded.orderId)).toBe(1);
    // Support moves the order back; the reset run's DELIVERED write then finds it changed.
    Object.assign(state.orders.get(seeded.orderId) ?? {}, { orderStatus: 'PLACED' });
    const reset = await resetAround(h.client, handle, 'transitionOrder', 'before');
    started.push(reset);
    const parked = await parkedProgress(reset);
    expect(parked.parked?.reason).toBe('ORDER_CHANGED_AFTER_PAYOUT');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(count('revert-request', seeded.orderId)).toBe(0);
    // The operator confirms the payout: the order is COMPLETED, the saga ends so.
    const transferId = state.payments.get(seeded.paymentId)?.transferId ?? undefined;
    await reset.executeUpdate(DECIDE_UPDATE, {
      args: [{ action: 'markPaid', operator: 'ops@example.com', reason: 'paid', transferId }],
    });
    const result = (await reset.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
    expect(count('transfer', seeded.orderId)).toBe(1);
  });
});
