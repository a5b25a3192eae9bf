import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY } from '../common/workflow-safe/names';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import { startGate } from './support/gate';
import { HELD_SETTINGS, startGatedWorker } from './support/gated-worker';
import { FAST_SETTINGS, progressWhen, useHarness } from './support/harness';

/**
 * A cancel request (Temporal UI, CLI) before the pivot undoes the saga and ends it
 * CANCELLED; from the pivot on it is recorded and the saga finishes (issue 9, case 5).
 */
describe('CompleteOrderWorkflow: cancel requests', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });

  it('compensates and ends CANCELLED when cancelled during the onboarding wait', async () => {
    const settings = { ...FAST_SETTINGS, connectAccountPollMs: 100 };
    const { seeded, handle } = await h.seedAndStart({ connectAccountId: null }, settings);
    await progressWhen(handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const { state } = h.sandbox;
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(state.payments.get(seeded.paymentId)?.status).toBe('AUTHORIZED');
  });

  it('restores the order only after a DELIVERED write in flight at the cancel has landed', async () => {
    // The write is held at a gate: the cancel arrives while it is in flight, and the write
    // lands only afterwards. The restore must come after it, or the order stays DELIVERED.
    const gate = await startGate(h.sandbox.urls.order, /^\/updateOrderStatus$/);
    const gated = await startGatedWorker(h, { order: gate });
    try {
      const seeded = h.sandbox.state.seedOrder();
      const handle = await gated.start({ ...seeded, settings: HELD_SETTINGS });
      await gate.holding;
      await handle.cancel();
      await progressWhen(handle, (p) => p.cancelRequested === true);
      const delivered = h.sandbox.state.nextEntry('status-change', seeded.orderId);
      gate.open();
      const error = await handle.result().catch((e: unknown) => e);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      // However the saga ended, the held write lands: only then is the order's status final.
      expect((await delivered).detail).toBe('DELIVERED');
      const { state } = h.sandbox;
      const changes = state.entries('status-change', seeded.orderId).map((e) => e.detail);
      expect(changes).toEqual(['DELIVERED', 'ON_THE_WAY']);
      expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
      const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
      expect(progress.status).toBe('CANCELLED');
      expect(progress.compensationsRun).toContain('restoreOrderStatus');
      expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    } finally {
      await gated.close();
    }
  });

  it('returns the money when cancelled between two releases that were not queued', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const { faults } = h.sandbox;
    const outage = faults.inject({
      route: 'release',
      key: seeded.paymentId,
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const settings = { ...FAST_SETTINGS, releaseRetryIntervalMs: 100 };
    const handle = await h.start({ ...seeded, settings });
    await progressWhen(
      handle,
      (p) => p.waitingFor?.startsWith('payment service to accept') === true,
    );
    // The re-read of the order before the next re-send hangs; the cancel arrives meanwhile
    // (or, as the suite saw, in the same workflow task as the re-send timer firing).
    const reread = faults.inject({
      route: 'getOrderDetails',
      key: seeded.orderId,
      delayMs: 1_500,
      drop: true,
      times: Number.POSITIVE_INFINITY,
    });
    for (let waitMs = 20; reread.hits === 0; waitMs = Math.min(waitMs * 2, 500)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    await handle.cancel();
    await progressWhen(handle, (p) => p.cancelRequested === true);
    outage.remove();
    reread.remove();
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const { state } = h.sandbox;
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(state.payments.get(seeded.paymentId)?.status).toBe('REVERTED');
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
  });

  it('finishes confirming and completes when cancelled with the release queued', async () => {
    h.sandbox.state.holdQueue = true;
    const seeded = h.sandbox.state.seedOrder();
    const queued = h.sandbox.state.nextEntry('release-request', seeded.orderId);
    const handle = await h.start({ ...seeded, settings: FAST_SETTINGS });
    await queued;
    await handle.cancel();
    await progressWhen(handle, (p) => p.cancelRequested === true);
    h.sandbox.state.holdQueue = false;
    h.sandbox.state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result).toMatchObject({ outcome: 'COMPLETED', cancelRequested: true });
    const { state } = h.sandbox;
    expect(state.entries('transfer', seeded.orderId)).toHaveLength(1);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('completes the order when cancelled while marking it COMPLETED', async () => {
    h.sandbox.state.holdQueue = true;
    const seeded = h.sandbox.state.seedOrder();
    const queued = h.sandbox.state.nextEntry('release-request', seeded.orderId);
    const handle = await h.start({ ...seeded, settings: FAST_SETTINGS });
    await queued;
    // DELIVERED is written; the next status write is COMPLETED, and it answers slowly:
    // the cancel arrives while it is in flight.
    h.sandbox.faults.inject({ route: 'updateOrderStatus', delayMs: 1_500 });
    h.sandbox.state.holdQueue = false;
    h.sandbox.state.settleHeld();
    await progressWhen(handle, (p) => p.currentStep === 'markCompleted');
    await handle.cancel();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result).toMatchObject({ outcome: 'COMPLETED', cancelRequested: true });
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });
});
