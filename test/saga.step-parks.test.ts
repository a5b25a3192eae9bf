import {
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DECIDE_UPDATE, type OperatorDecision } from '../common/workflow-safe/operator';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../common/workflow-safe/saga-settings';
import { handler as completion } from '../functions/completion/handler';
import type { LedgerEntry, SeededOrder } from '../sandbox';
import { invoke, serviceAuth } from './support/api';
import { FAST_SETTINGS, progressWhen, useHarness } from './support/harness';

const OPERATOR = { operator: 'ops@example.com', reason: 'checked in the test' };

/**
 * The saga's progress once it parked, or an error once `withinMs` passed without a park:
 * before issue 17 these sagas retried forever, RUNNING, and a plain wait would hang.
 */
async function parkedWithin(handle: WorkflowHandle, withinMs = 30_000): Promise<SagaProgress> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the saga did not park within ${withinMs} ms`)),
      withinMs,
    );
  });
  try {
    return await Promise.race([
      progressWhen(handle, (p) => p.status === 'NEEDS_OPERATOR'),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The failure a saga ended with: type, message and its first detail. */
async function endedWith(handle: WorkflowHandle) {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure)) {
    throw new Error(`expected a typed failure, got ${String(error)}`);
  }
  const details = error.cause.details?.[0] as
    | { compensationsRun: string[]; compensationFailures: Array<Record<string, unknown>> }
    | undefined;
  return { type: error.cause.type, message: error.cause.message, details };
}

const decide = (handle: WorkflowHandle, action: OperatorDecision['action']) =>
  handle.executeUpdate(DECIDE_UPDATE, { args: [{ action, ...OPERATOR }] });

/** A runner who never onboards: the saga waits briefly, then compensates. */
const NO_ACCOUNT: Partial<SagaSettings> = {
  ...FAST_SETTINGS,
  connectAccountWaitMs: 2_000,
  connectAccountPollMs: 200,
};

/**
 * Steps that must finish (after the pivot, and compensations) park instead of retrying
 * forever: at once on a permanent answer (STEP_REJECTED), after `stepRetryWindowMs` on
 * transient ones (STEP_UNAVAILABLE). A saga that then fails reports its original cause.
 */
describe('CompleteOrderWorkflow: a step that cannot finish parks (issue 17, items 6 and 8)', () => {
  const h = useHarness({ api: true, httpTimeoutMs: 1_000 });

  /** Resolves when the sandbox queues this order's release (before it replies). */
  const releaseQueued = (orderId: string) =>
    new Promise<void>((resolve) => {
      const listener = (entry: LedgerEntry) => {
        if (entry.kind !== 'release-request' || entry.orderId !== orderId) return;
        h.sandbox.state.off('ledger', listener);
        resolve();
      };
      h.sandbox.state.on('ledger', listener);
    });

  const count = (kind: 'transfer' | 'revert-request' | 'release-request', orderId: string) =>
    h.sandbox.state.entries(kind, orderId).length;

  /** Starts a saga for a runner without a Connect account; resolves once it waits for one. */
  async function waitingForOnboarding(settings: Partial<SagaSettings> = NO_ACCOUNT) {
    const { seeded, handle } = await h.seedAndStart({ connectAccountId: null }, settings);
    await progressWhen(handle, (p) => p.waitingFor === 'runner Stripe Connect onboarding');
    return { seeded, handle };
  }

  it.each([
    ['the order read answers 404 Order not found', { route: 'getOrderDetails', status: 404 }],
    ['the COMPLETED write answers 400', { route: 'updateOrderStatus', status: 400 }],
  ] as const)('parks STEP_REJECTED at once when, after the release was queued, %s; retry completes once fixed', async (_case, fault) => {
    const seeded = h.sandbox.state.seedOrder();
    // The fault is in place before the release's reply leaves the sandbox.
    let injected: { remove(): void } | undefined;
    const queued = releaseQueued(seeded.orderId).then(() => {
      injected = h.sandbox.faults.inject({
        ...fault,
        key: seeded.orderId,
        times: Number.POSITIVE_INFINITY,
      });
    });
    const handle = await h.start({ ...seeded, settings: FAST_SETTINGS });
    await queued;
    const progress = await parkedWithin(handle);
    expect(progress.parked).toMatchObject({
      reason: 'STEP_REJECTED',
      allowed: ['retry'],
      paymentId: seeded.paymentId,
    });
    expect(progress.parked?.message).toContain('marking the order COMPLETED was refused');
    expect(progress.currentStep).toBe('markCompleted');
    // Skip is for compensations: completing the order cannot be skipped.
    await expect(decide(handle, 'skip')).rejects.toThrow(WorkflowUpdateFailedError);
    injected?.remove();
    await decide(handle, 'retry');
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.decisions).toMatchObject([{ action: 'retry', parkedReason: 'STEP_REJECTED' }]);
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(count('revert-request', seeded.orderId)).toBe(0);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('parks STEP_UNAVAILABLE when a compensation write keeps failing past stepRetryWindowMs, and resumes by itself', async () => {
    const { seeded, handle } = await waitingForOnboarding({
      ...NO_ACCOUNT,
      stepRetryWindowMs: 2_000,
    });
    const outage = h.sandbox.faults.inject({
      route: 'updateOrderStatus',
      status: 503,
      key: seeded.orderId,
      times: Number.POSITIVE_INFINITY,
    });
    const progress = await parkedWithin(handle);
    expect(progress.parked).toMatchObject({
      reason: 'STEP_UNAVAILABLE',
      allowed: ['retry', 'skip'],
    });
    expect(progress.parked?.message).toContain(
      'compensation restoreOrderStatus (of ConnectAccountMissing)',
    );
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('DELIVERED');
    outage.remove();
    // No decision: the saga's own recheck runs the write again once the service answers.
    const failure = await endedWith(handle);
    expect(failure.type).toBe('ConnectAccountMissing');
    expect(failure.details?.compensationsRun).toEqual(['restoreOrderStatus']);
    expect(failure.details?.compensationFailures).toMatchObject([
      { compensation: 'restoreOrderStatus', parkedReason: 'STEP_UNAVAILABLE', decision: null },
    ]);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
  });

  async function restoreRefused(): Promise<{ seeded: SeededOrder; handle: WorkflowHandle }> {
    const started = await waitingForOnboarding();
    // Hits the restore: DELIVERED was written before the wait began.
    const refusal = h.sandbox.faults.inject({
      route: 'updateOrderStatus',
      status: 400,
      key: started.seeded.orderId,
      times: Number.POSITIVE_INFINITY,
    });
    const progress = await parkedWithin(started.handle);
    expect(progress.parked).toMatchObject({ reason: 'STEP_REJECTED', allowed: ['retry', 'skip'] });
    expect(progress.parked?.message).toContain(
      'compensation restoreOrderStatus (of ConnectAccountMissing) was refused: DownstreamRejected',
    );
    refusal.remove();
    return started;
  }

  it('parks when the restore is refused (400); after retry it fails with the original cause, shown by the API', async () => {
    const { seeded, handle } = await restoreRefused();
    await decide(handle, 'retry');
    const failure = await endedWith(handle);
    expect(failure.type).toBe('ConnectAccountMissing');
    expect(failure.message).toContain('runner has no Stripe Connect account');
    expect(failure.details?.compensationsRun).toEqual(['restoreOrderStatus']);
    expect(failure.details?.compensationFailures).toMatchObject([
      {
        compensation: 'restoreOrderStatus',
        parkedReason: 'STEP_REJECTED',
        decision: { action: 'retry', operator: OPERATOR.operator },
      },
    ]);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
    const reply = await invoke(
      completion,
      {
        method: 'GET',
        url: `/orders/${seeded.orderId}/completion`,
        authorizer: serviceAuth,
      },
      { routeKey: 'GET /orders/{orderId}/completion', pathParameters: { orderId: seeded.orderId } },
      '/orders/{orderId}/completion',
    );
    expect(reply.body).toMatchObject({
      status: 'FAILED',
      failure: { type: 'ConnectAccountMissing' },
    });
  });

  it('records a restore the operator did by hand (skip) and still fails with the original cause', async () => {
    const { seeded, handle } = await restoreRefused();
    await decide(handle, 'skip');
    const failure = await endedWith(handle);
    expect(failure.type).toBe('ConnectAccountMissing');
    expect(failure.details?.compensationsRun).toEqual([
      `restoreOrderStatus skipped: done by hand (${OPERATOR.operator})`,
    ]);
    expect(failure.details?.compensationFailures).toMatchObject([
      { compensation: 'restoreOrderStatus', decision: { action: 'skip' } },
    ]);
    // The saga wrote nothing after the skip.
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('DELIVERED');
  });
});
