import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import { FAST_SETTINGS, failureOf, useHarness } from './support/harness';

/** Step 0 and the input check: nothing downstream may change. */
describe('CompleteOrderWorkflow: guards before anything changes', () => {
  const h = useHarness();

  const writes = (orderId: string) =>
    h.sandbox.state.ledger.filter((e) => e.orderId === orderId && e.kind !== 'status-change')
      .length + h.sandbox.state.entries('status-change', orderId).length;

  it('ends successfully without touching an order that is already COMPLETED', async () => {
    const { seeded, handle } = await h.seedAndStart({ orderStatus: 'COMPLETED' });
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('ALREADY_COMPLETED');
    expect(writes(seeded.orderId)).toBe(0);
  });

  it.each([
    ['CANCELLED', 'OrderNotCompletable'],
    ['PENDING', 'OrderNotCompletable'],
    ['ACCEPTED', 'OrderNotCompletable'],
  ] as const)('fails an order that is %s with %s and changes nothing', async (orderStatus, type) => {
    const { seeded, handle } = await h.seedAndStart({ orderStatus });
    expect((await failureOf(handle)).type).toBe(type);
    expect(writes(seeded.orderId)).toBe(0);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe(orderStatus);
  });

  it("fails another runner's order with RunnerMismatch and changes nothing", async () => {
    const seeded = h.sandbox.state.seedOrder();
    const handle = await h.start({
      orderId: seeded.orderId,
      runnerId: 'user_someoneElse',
      settings: FAST_SETTINGS,
    });
    expect((await failureOf(handle)).type).toBe('RunnerMismatch');
    expect(writes(seeded.orderId)).toBe(0);
  });

  it('fails a COMPLETED order of another runner instead of reporting it completed', async () => {
    const seeded = h.sandbox.state.seedOrder({ orderStatus: 'COMPLETED' });
    const handle = await h.start({ orderId: seeded.orderId, runnerId: 'user_someoneElse' });
    expect((await failureOf(handle)).type).toBe('RunnerMismatch');
  });

  it('fails an unknown order with OrderNotFound', async () => {
    const handle = await h.start({ orderId: randomUUID(), runnerId: 'user_abc' });
    expect((await failureOf(handle)).type).toBe('OrderNotFound');
  });

  it.each([
    ['a missing order id', { runnerId: 'user_abc' }],
    ['a traversal runner id', { orderId: randomUUID(), runnerId: '../admin' }],
    ['an encoded traversal runner id', { orderId: randomUUID(), runnerId: '%2e%2e' }],
    ['a runner id with a slash', { orderId: randomUUID(), runnerId: 'user/abc' }],
    ['a runner id with a backslash', { orderId: randomUUID(), runnerId: 'user\\abc' }],
    ['a runner id with a control character', { orderId: randomUUID(), runnerId: 'user\nabc' }],
    ['an order id that is not a uuid', { orderId: 'order-1', runnerId: 'user_abc' }],
    ['a numeric runner id', { orderId: randomUUID(), runnerId: 42 }],
    [
      'a negative setting',
      { orderId: randomUUID(), runnerId: 'user_abc', settings: { connectAccountWaitMs: -1 } },
    ],
    [
      'an unknown setting',
      { orderId: randomUUID(), runnerId: 'user_abc', settings: { retries: 9 } },
    ],
  ] as Array<
    [string, Record<string, unknown>]
  >)('rejects %s with InvalidInput before any request', async (_case, input) => {
    const before = h.sandbox.state.ledger.length;
    const orderId = typeof input.orderId === 'string' ? input.orderId : randomUUID();
    const handle = await h.client.workflow.start('CompleteOrderWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: workflowIdFor(orderId),
      args: [input],
    });
    expect((await failureOf(handle)).type).toBe('InvalidInput');
    expect(h.sandbox.state.ledger.length).toBe(before);
    const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
    expect(progress.stepsDone).toEqual([]);
    expect(progress.failureType).toBe('InvalidInput');
  });

  it('rejects a saga whose workflow id is not derived from its order id', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const handle = await h.client.workflow.start('CompleteOrderWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: `second-saga-${seeded.orderId}`,
      args: [{ orderId: seeded.orderId, runnerId: seeded.runnerId }],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(workflowIdFor(seeded.orderId));
    expect(writes(seeded.orderId)).toBe(0);
  });
});
