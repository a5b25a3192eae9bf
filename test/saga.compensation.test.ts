import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY } from '../common/workflow-safe/names';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { failureOf, parkedProgress, progressWhen, useHarness } from './support/harness';

/** Permanent failures at each step: what is undone, and the final states. */
describe('CompleteOrderWorkflow: permanent failures compensate', () => {
  const h = useHarness();

  const statusChanges = (orderId: string) =>
    h.sandbox.state.entries('status-change', orderId).map((e) => e.detail);
  const progressOf = (handle: { query: <T>(q: string) => Promise<T> }) =>
    handle.query<SagaProgress>(PROGRESS_QUERY);

  it('leaves the order as it is when setting DELIVERED is rejected', async () => {
    h.sandbox.faults.inject({ route: 'updateOrderStatus', status: 400 });
    const { seeded, handle } = await h.seedAndStart();
    expect((await failureOf(handle)).type).toBe('DownstreamRejected');
    // The restore applies only to an order still in the status the saga set: it is not.
    expect(statusChanges(seeded.orderId)).toEqual([]);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
    expect((await progressOf(handle)).compensationsRun).toEqual(['restoreOrderStatus']);
  });

  it('restores the order when the runner is unknown to the User Service', async () => {
    const { seeded, handle } = await (async () => {
      const s = h.sandbox.state.seedOrder();
      h.sandbox.state.connectAccounts.delete(s.runnerId);
      return { seeded: s, handle: await h.start({ orderId: s.orderId, runnerId: s.runnerId }) };
    })();
    expect((await failureOf(handle)).type).toBe('RunnerNotFound');
    expect(statusChanges(seeded.orderId)).toEqual(['DELIVERED', 'ON_THE_WAY']);
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(0);
  });

  it('leaves a DELIVERED order DELIVERED, not an earlier status, and writes nothing', async () => {
    const { seeded, handle } = await h.seedAndStart({
      orderStatus: 'DELIVERED',
      withPayment: false,
    });
    expect((await failureOf(handle)).type).toBe('PaymentNotFound');
    expect(statusChanges(seeded.orderId)).toEqual([]);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('DELIVERED');
  });

  it.each([
    'REVERTED',
    'FAILED',
  ] as const)('refuses a %s payment without releasing or reverting it', async (paymentStatus) => {
    const { seeded, handle } = await h.seedAndStart({ paymentStatus });
    expect((await failureOf(handle)).type).toBe('PaymentNotReleasable');
    const { state } = h.sandbox;
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
  });

  it('parks, sending nothing, when the payment was already released to another runner', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const payment = h.sandbox.state.payments.get(seeded.paymentId);
    Object.assign(payment ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_other',
      runnerId: 'user_other',
    });
    const handle = await h.start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    const parked = await parkedProgress(handle);
    expect(parked.parked?.reason).toBe('PAYMENT_STATE_UNEXPECTED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(h.sandbox.state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    await handle.terminate('test done');
  });

  it('reverts the payment and cancels the order when the release is rejected (400)', async () => {
    h.sandbox.faults.inject({ route: 'release', status: 400 });
    const { seeded, handle } = await h.seedAndStart();
    expect((await failureOf(handle)).type).toBe('ReleaseRejected');
    const { state } = h.sandbox;
    expect(state.entries('transfer', seeded.orderId)).toHaveLength(0);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(1);
    expect(statusChanges(seeded.orderId)).toEqual(['DELIVERED', 'CANCELLED']);
    expect((await progressOf(handle)).compensationsRun).toEqual([
      'revertPayment',
      'restoreOrderStatus',
    ]);
  });

  it('reverts and cancels when the queued release settles as FAILED', async () => {
    const { seeded, handle } = await h.seedAndStart({ settlementFails: true });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('ReleaseFailed');
    expect(failure.message).toContain('FAILED');
    const { state } = h.sandbox;
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(state.entries('transfer', seeded.orderId)).toHaveLength(0);
    expect(state.entries('revert', seeded.orderId)).toHaveLength(1);
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
  });

  it('waits for a slow revert of a FAILED payment before cancelling the order', async () => {
    const { state } = h.sandbox;
    state.holdQueue = true;
    const { seeded, handle } = await h.seedAndStart({ settlementFails: true });
    await progressWhen(handle, (p) => p.waitingFor === 'payment settlement');
    state.settleHeld(); // the release settles FAILED; the revert that follows is held
    await progressWhen(handle, (p) => p.waitingFor === 'payment revert');
    expect(state.payments.get(seeded.paymentId)?.status).toBe('FAILED');
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('DELIVERED');
    state.holdQueue = false;
    state.settleHeld();
    expect((await failureOf(handle)).type).toBe('ReleaseFailed');
    expect(state.payments.get(seeded.paymentId)?.status).toBe('REVERTED');
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
  });

  it('sends the revert as JSON with an Idempotency-Key and the correlation id', async () => {
    h.sandbox.faults.inject({ route: 'release', status: 400 });
    const { seeded, handle } = await h.seedAndStart();
    await failureOf(handle);
    const [revert] = h.sandbox.state.entries('revert-request', seeded.orderId);
    expect(revert?.headers?.['content-type']).toContain('application/json');
    expect(revert?.headers?.['idempotency-key']).toBe(`revert-${seeded.paymentId}`);
    expect(revert?.headers?.['x-correlation-id']).toBe(handle.workflowId);
  });

  it('parks for an operator, leaving the order DELIVERED, when the revert is refused', async () => {
    h.sandbox.faults.inject({ route: 'release', status: 400 });
    h.sandbox.faults.inject({ route: 'revert', status: 400 });
    const { seeded, handle } = await h.seedAndStart();
    const progress = await parkedProgress(handle);
    expect(progress.parked?.reason).toBe('REVERT_REJECTED');
    expect(progress.parked?.allowed).toEqual(['refund', 'markPaid']);
    // The customer's money was not returned: the order must not say CANCELLED.
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('DELIVERED');
    expect(progress).toMatchObject({ status: 'NEEDS_OPERATOR', compensationsRun: [] });
    await handle.terminate('test done');
  });
});
