import { describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import type { Fault } from '../sandbox';
import { useHarness } from './support/harness';

/** Transient faults are retried: the saga completes as if nothing happened. */
describe('CompleteOrderWorkflow: transient faults recover', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });

  it.each<[string, Fault]>([
    ['order read answers 503', { route: 'getOrderDetails', status: 503, times: 2 }],
    ['order read hangs past the timeout', { route: 'getOrderDetails', delayMs: 1_500 }],
    ['DELIVERED update answers 500', { route: 'updateOrderStatus', status: 500, times: 2 }],
    ['DELIVERED update drops the connection', { route: 'updateOrderStatus', drop: true }],
    ['Connect account lookup answers 429', { route: 'connectAccount', status: 429, times: 2 }],
    ['Connect account lookup drops the connection', { route: 'connectAccount', drop: true }],
    ['payment lookup answers 503', { route: 'paymentStatus', status: 503, times: 2 }],
    ['payment lookup hangs past the timeout', { route: 'paymentStatus', delayMs: 1_500 }],
    ['settlement polling answers 500', { route: 'paymentStatus', status: 500, times: 3 }],
  ])('completes and pays once when the %s', async (_case, fault) => {
    h.sandbox.faults.inject(fault);
    const { seeded, handle } = await h.seedAndStart();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('retries COMPLETED after the pivot through transient failures (a 4xx parks: saga.step-parks)', async () => {
    const { state, faults } = h.sandbox;
    const seeded = state.seedOrder();
    // Fail every status update once the money moved: 503, then 500, then a dropped reply.
    const handlePromise = h.start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    await new Promise<void>((resolve) => {
      const listener = (entry: { kind: string; orderId: string }) => {
        if (entry.kind === 'transfer' && entry.orderId === seeded.orderId) {
          faults.inject({ route: 'updateOrderStatus', status: 503 });
          faults.inject({ route: 'updateOrderStatus', status: 500 });
          faults.inject({ route: 'updateOrderStatus', drop: true });
          state.off('ledger', listener);
          resolve();
        }
      };
      state.on('ledger', listener);
    });
    const result = (await (await handlePromise).result()) as CompleteOrderResult;
    expect(result.orderStatus).toBe('COMPLETED');
    expect(state.entries('transfer', seeded.orderId)).toHaveLength(1);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
  });
});
