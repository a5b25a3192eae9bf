import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { DECIDE_UPDATE } from '../common/workflow-safe/operator';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { FAST_SETTINGS, parkedProgress, progressWhen, useHarness } from './support/harness';
import { resetAround as resetTo } from './support/reset';

/**
 * "At most one release" holds per payment, not per run: a release queued by one run is
 * never sent again by a run started after it was terminated or reset (issue 9, case 1).
 * The sandbox holds the queued release, so the payment stays AUTHORIZED while the next
 * run looks at it, as a slow settlement would.
 */
describe('CompleteOrderWorkflow: one release per payment across runs', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });

  /** Starts a saga and returns once its release is queued (and held, unsettled). */
  async function sagaWithQueuedRelease() {
    h.sandbox.state.holdQueue = true;
    const seeded = h.sandbox.state.seedOrder();
    const queued = h.sandbox.state.nextEntry('release-request', seeded.orderId);
    const input = { orderId: seeded.orderId, runnerId: seeded.runnerId, settings: FAST_SETTINGS };
    const first = await h.start(input);
    await queued;
    return { seeded, input, first };
  }

  /** The run is confirming the payment: it decided, and sent nothing. */
  const confirming = (handle: WorkflowHandle) =>
    progressWhen(handle, (p) => p.waitingFor === 'payment settlement');

  async function expectOneTransfer(orderId: string, handle: WorkflowHandle) {
    const { state } = h.sandbox;
    expect(state.heldCount).toBe(1);
    state.holdQueue = false;
    state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(state.entries('release-request', orderId)).toHaveLength(1);
    expect(state.entries('transfer', orderId)).toHaveLength(1);
    expect(state.orders.get(orderId)?.orderStatus).toBe('COMPLETED');
  }

  const resetAround = (handle: WorkflowHandle, activity: string, side: 'before' | 'after') =>
    resetTo(h.client, handle, activity, side);

  it('does not release again when the saga is terminated after queueing and started again', async () => {
    const { seeded, input, first } = await sagaWithQueuedRelease();
    await first.terminate('operator terminated a slow saga');
    const second = await h.start(input);
    await confirming(second);
    await expectOneTransfer(seeded.orderId, second);
  });

  it('does not release again when the saga is reset to before its release claim', async () => {
    const { seeded, first } = await sagaWithQueuedRelease();
    await confirming(first);
    const reset = await resetAround(first, 'claimRelease', 'before');
    await confirming(reset);
    await expectOneTransfer(seeded.orderId, reset);
  });

  it('does not release again when the saga is reset to after its claim was granted', async () => {
    // The new run replays "granted" from history; the release activity itself checks
    // that the claim is this run's before it sends.
    const { seeded, first } = await sagaWithQueuedRelease();
    await confirming(first);
    const reset = await resetAround(first, 'claimRelease', 'after');
    await confirming(reset);
    await expectOneTransfer(seeded.orderId, reset);
  });

  it('never reverts a payment an earlier run may have released, and an operator refund returns it', async () => {
    const { seeded, input, first } = await sagaWithQueuedRelease();
    await first.terminate('operator terminated a slow saga');
    // The payment read answers slowly, so support's cancel lands before the re-read of the
    // order: the saga compensates, and must confirm the earlier run's release, not revert.
    h.sandbox.faults.inject({ route: 'paymentStatus', delayMs: 2_000 });
    const second = await h.start(input);
    await progressWhen(second, (p) => p.currentStep === 'getPayment');
    const order = h.sandbox.state.orders.get(seeded.orderId);
    if (order) order.orderStatus = 'CANCELLED'; // support cancels the "stuck" order
    await confirming(second);
    const { state } = h.sandbox;
    state.holdQueue = false;
    state.settleHeld(); // the first run's release pays the runner
    const parked = await parkedProgress(second);
    expect(parked.parked?.reason).toBe('ORDER_CHANGED_AFTER_PAYOUT');
    expect(parked.stepsDone).not.toContain('releaseFunds');
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    await second.executeUpdate(DECIDE_UPDATE, {
      args: [{ action: 'refund', operator: 'ops@example.com', reason: 'order was cancelled' }],
    });
    const result = (await second.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('REFUNDED');
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(state.entries('refund', seeded.orderId)).toHaveLength(1);
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
  });

  it("parks a later run that finds the claim taken, and sends on an operator's resend", async () => {
    // The first run claims the payment, then only ever hears 503 KAFKA_ERROR: nothing is
    // queued when it is terminated, but a later run cannot know that.
    const seeded = h.sandbox.state.seedOrder();
    const outage = h.sandbox.faults.inject({
      route: 'release',
      key: seeded.paymentId,
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const input = { orderId: seeded.orderId, runnerId: seeded.runnerId, settings: FAST_SETTINGS };
    const first = await h.start(input);
    await progressWhen(
      first,
      (p) => p.waitingFor?.startsWith('payment service to accept') === true,
    );
    await first.terminate('operator terminated a saga stuck in an outage');
    outage.remove();
    const second = await h.start({
      ...input,
      settings: { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
    });
    expect((await parkedProgress(second)).parked?.reason).toBe('RELEASE_UNCONFIRMED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(0);
    await second.executeUpdate(DECIDE_UPDATE, {
      args: [{ action: 'resend', operator: 'ops@example.com', reason: 'no transfer in Stripe' }],
    });
    const result = (await second.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });
});
