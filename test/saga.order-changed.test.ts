import { describe, expect, it } from 'vitest';
import { FAST_SETTINGS, failureOf, progressWhen, useHarness } from './support/harness';

/**
 * Support changes the order while the saga waits for the runner's Stripe onboarding
 * (issue 9, case 4). The saga re-reads the order right before the release and never
 * overwrites a status it did not set.
 */
describe('CompleteOrderWorkflow: an order changed by someone else meanwhile', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });
  const settings = { ...FAST_SETTINGS, connectAccountPollMs: 100 };

  /** A saga waiting for onboarding (the runner has no Connect account yet). */
  async function waitingSaga() {
    const { seeded, handle } = await h.seedAndStart({ connectAccountId: null }, settings);
    await progressWhen(handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    return { seeded, handle };
  }

  /** Support's tool: the Order Service's own endpoint, over HTTP. */
  async function supportSetsStatus(orderId: string, status: string) {
    const reply = await fetch(`${h.sandbox.urls.order}/updateOrderStatus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId, status }),
    });
    expect(reply.status).toBe(200);
  }

  it('never pays an order that support cancelled during the wait, and returns the money', async () => {
    const { seeded, handle } = await waitingSaga();
    await supportSetsStatus(seeded.orderId, 'CANCELLED');
    h.sandbox.state.connectAccounts.set(seeded.runnerId, 'acct_onboardedlate');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('OrderChanged');
    const { state } = h.sandbox;
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(state.entries('revert', seeded.orderId)).toHaveLength(1);
    expect(state.payments.get(seeded.paymentId)?.status).toBe('REVERTED');
    // The saga wrote DELIVERED; support wrote CANCELLED; nothing after that.
    const writes = state.entries('status-change', seeded.orderId).map((e) => e.detail);
    expect(writes).toEqual(['DELIVERED', 'CANCELLED']);
  });

  it('never pays an order that was reassigned during the wait, and leaves it to the new runner', async () => {
    const { seeded, handle } = await waitingSaga();
    const order = h.sandbox.state.orders.get(seeded.orderId);
    if (order) order.runnerId = 'user_newrunner';
    h.sandbox.state.connectAccounts.set(seeded.runnerId, 'acct_onboardedlate');
    expect((await failureOf(handle)).type).toBe('OrderChanged');
    const { state } = h.sandbox;
    expect(state.entries('release-request', seeded.orderId)).toHaveLength(0);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    expect(state.payments.get(seeded.paymentId)?.status).toBe('AUTHORIZED');
    expect(state.orders.get(seeded.orderId)).toMatchObject({
      orderStatus: 'DELIVERED',
      runnerId: 'user_newrunner',
    });
  });

  it('does not restore a status that support changed after the saga set DELIVERED', async () => {
    const { seeded, handle } = await waitingSaga();
    await supportSetsStatus(seeded.orderId, 'PLACED');
    // The runner disappears from the User Service: the saga compensates, but the order's
    // status is no longer the one it set.
    h.sandbox.state.connectAccounts.delete(seeded.runnerId);
    expect((await failureOf(handle)).type).toBe('RunnerNotFound');
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('PLACED');
  });
});
