import { describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import {
  FAST_SETTINGS,
  failureOf,
  parkedProgress,
  progressWhen,
  useHarness,
} from './support/harness';

/**
 * The pivot. The sandbox Payment Service, like the real one, transfers again whenever it
 * is asked again: every test counts release requests and transfers in its ledger.
 */
describe('CompleteOrderWorkflow: the release reaches the Payment Service at most once', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });

  const count = (kind: 'release-request' | 'transfer' | 'revert-request', orderId: string) =>
    h.sandbox.state.entries(kind, orderId).length;

  it('sends the release with an Idempotency-Key naming the payment and the correlation id', async () => {
    const { seeded, handle } = await h.seedAndStart();
    await handle.result();
    const [request] = h.sandbox.state.entries('release-request', seeded.orderId);
    expect(request?.headers?.['idempotency-key']).toBe(`release-${seeded.paymentId}`);
    expect(request?.headers?.['x-correlation-id']).toBe(handle.workflowId);
  });

  it.each([
    ['the reply is dropped after the release was queued', { drop: true }],
    ['the reply comes after the request timeout', { delayMs: 2_500 }],
    ['a gateway answers 502 without the service error body', { status: 502, body: 'Bad Gateway' }],
    [
      'a gateway answers 504 after the release was queued',
      { status: 504, body: { message: 'timeout' } },
    ],
  ])('does not re-send when %s, and completes from the settled status', async (_case, fault) => {
    h.sandbox.faults.inject({ route: 'release', afterProcessing: true, ...fault });
    const { seeded, handle } = await h.seedAndStart();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(count('revert-request', seeded.orderId)).toBe(0);
  });

  it.each([
    ['409 ALREADY_RELEASED', 409, 'ALREADY_RELEASED'],
    ['422', 422, 'UNPROCESSABLE_ENTITY'],
    ['400 that is not the validation error', 400, 'ALREADY_RELEASED'],
  ])('confirms, never reverts, a release processed and then answered %s', async (_case, status, error) => {
    // The queued release settles only when the test says so: a revert sent meanwhile
    // would be in the ledger before the transfer.
    h.sandbox.state.holdQueue = true;
    h.sandbox.faults.inject({
      route: 'release',
      status,
      afterProcessing: true,
      body: { success: false, error, message: 'release already processed' },
    });
    const { seeded, handle } = await h.seedAndStart();
    await progressWhen(
      handle,
      (p) => p.waitingFor === 'payment settlement' || p.waitingFor === 'payment revert',
    );
    expect(count('revert-request', seeded.orderId)).toBe(0);
    h.sandbox.state.holdQueue = false;
    h.sandbox.state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(count('revert-request', seeded.orderId)).toBe(0);
  });

  it.each([
    ['503 KAFKA_ERROR', { status: 503 }],
    ['429 with the service error body', { status: 429 }],
  ])('re-sends after a definite "not queued" (%s) and pays once', async (_case, fault) => {
    h.sandbox.faults.inject({ route: 'release', times: 2, ...fault });
    const { seeded, handle } = await h.seedAndStart();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
  });

  it('never re-sends after a 500 KAFKA_PUBLISH_ERROR that came after the release was queued', async () => {
    // The queued release settles only when the test says so: a re-read before a re-send
    // would still see AUTHORIZED, as with a slow real queue.
    h.sandbox.state.holdQueue = true;
    h.sandbox.faults.inject({ route: 'release', afterProcessing: true, status: 500 });
    const { seeded, handle } = await h.seedAndStart();
    await progressWhen(handle, (p) => p.waitingFor === 'payment settlement');
    expect(h.sandbox.state.heldCount).toBe(1);
    h.sandbox.state.holdQueue = false;
    h.sandbox.state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
  });

  it('keeps re-sending through a Payment Service outage longer than the old 15 s, then pays once', async () => {
    // Six 503s: the old saga gave up after five attempts and refunded the customer.
    h.sandbox.faults.inject({ route: 'release', times: 6, status: 503 });
    const { seeded, handle } = await h.seedAndStart(
      {},
      { ...FAST_SETTINGS, releaseRetryIntervalMs: 100 },
    );
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(count('revert-request', seeded.orderId)).toBe(0);
  });

  it('compensates only when the retry window ends with every release definitely not queued', async () => {
    h.sandbox.faults.inject({ route: 'release', times: Number.POSITIVE_INFINITY, status: 503 });
    const { seeded, handle } = await h.seedAndStart(
      {},
      { ...FAST_SETTINGS, releaseRetryWindowMs: 1_500, releaseRetryIntervalMs: 100 },
    );
    expect((await failureOf(handle)).type).toBe('ReleaseNotQueued');
    expect(count('release-request', seeded.orderId)).toBe(0);
    expect(count('transfer', seeded.orderId)).toBe(0);
    expect(h.sandbox.state.entries('revert', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('CANCELLED');
  });

  it('parks instead of reverting when a queued release does not settle in the window, and resumes when it settles', async () => {
    h.sandbox.state.holdQueue = true;
    try {
      const { seeded, handle } = await h.seedAndStart(
        {},
        { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
      );
      const progress = await parkedProgress(handle);
      expect(progress.parked?.reason).toBe('RELEASE_UNCONFIRMED');
      expect(count('revert-request', seeded.orderId)).toBe(0);
      h.sandbox.state.settleHeld();
      const result = (await handle.result()) as CompleteOrderResult;
      expect(result.outcome).toBe('COMPLETED');
      expect(result.decisions).toEqual([]);
      expect(count('release-request', seeded.orderId)).toBe(1);
      expect(count('transfer', seeded.orderId)).toBe(1);
    } finally {
      h.sandbox.state.holdQueue = false;
    }
  });

  it('skips the release when this runner was already paid (saga reset or re-run)', async () => {
    const seeded = h.sandbox.state.seedOrder({ orderStatus: 'DELIVERED' });
    const payment = h.sandbox.state.payments.get(seeded.paymentId);
    Object.assign(payment ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_earlier',
      runnerId: seeded.runnerId,
    });
    const handle = await h.start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.transferId).toBe('tr_earlier');
    expect(count('release-request', seeded.orderId)).toBe(0);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('never touches a payment whose id from the service is a path trick', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const payment = h.sandbox.state.payments.get(seeded.paymentId);
    Object.assign(payment ?? {}, { paymentId: '../../admin' });
    const handle = await h.start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    expect((await failureOf(handle)).type).toBe('ContractViolation');
    expect(count('release-request', seeded.orderId)).toBe(0);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
  });

  it('refuses a Connect account id that is not a Stripe account id', async () => {
    const seeded = h.sandbox.state.seedOrder({ connectAccountId: 'acct_../../x' });
    const handle = await h.start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    expect((await failureOf(handle)).type).toBe('ContractViolation');
    expect(count('release-request', seeded.orderId)).toBe(0);
  });
});
