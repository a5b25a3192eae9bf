import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import { DECIDE_UPDATE, type OperatorDecision } from '../common/workflow-safe/operator';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { handler as completion } from '../functions/completion/handler';
import { handler as health } from '../functions/health/handler';
import { handler as trigger } from '../functions/trigger/handler';
import type { HttpRequestLike } from '../sandbox/api-gateway';
import { invoke, runnerAuth, serviceAuth, TRIGGER_ROUTE, triggerRequest } from './support/api';
import {
  FAST_SETTINGS,
  type Harness,
  parkedProgress,
  progressWhen,
  useHarness,
} from './support/harness';

const PATH = '/orders/{orderId}/completion';

function getCompletion(orderId: string, authorizer: HttpRequestLike['authorizer'] = serviceAuth) {
  const request = {
    method: 'GET',
    url: `/orders/${encodeURIComponent(orderId)}/completion`,
    authorizer,
  };
  return invoke(
    completion,
    request,
    { routeKey: `GET ${PATH}`, pathParameters: { orderId } },
    PATH,
  );
}

async function waiting(handle: WorkflowHandle): Promise<boolean> {
  const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
  return progress.waitingFor !== null;
}

describe('Function: completion handler (GET /orders/{orderId}/completion)', () => {
  const h = useHarness({ api: true });

  async function triggered(seed: Parameters<Harness['sandbox']['state']['seedOrder']>[0] = {}) {
    const seeded = h.sandbox.state.seedOrder(seed);
    await invoke(
      trigger,
      triggerRequest({ order_id: seeded.orderId, runner_id: seeded.runnerId }),
      TRIGGER_ROUTE,
      '/triggerCompleteOrderWorkflow',
    );
    return { seeded, handle: h.client.workflow.getHandle(workflowIdFor(seeded.orderId)) };
  }

  it('reports a completed saga with its result', async () => {
    const { seeded, handle } = await triggered();
    await handle.result();
    const reply = await getCompletion(seeded.orderId);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 'COMPLETED',
      result: { outcome: 'COMPLETED', orderStatus: 'COMPLETED' },
    });
  });

  it('reports a running saga with the step it waits in', async () => {
    const { seeded, handle } = await triggered({ connectAccountId: null });
    // Until the saga has read the (missing) account it is still on earlier steps.
    while (!(await waiting(handle))) await delay(50);
    const reply = await getCompletion(seeded.orderId);
    expect(reply.body).toMatchObject({
      status: 'RUNNING',
      needs_operator: false,
      progress: {
        currentStep: 'getConnectAccount',
        waitingFor: 'runner Stripe Connect onboarding',
      },
    });
    expect(reply.body).not.toHaveProperty('parked');
    await handle.terminate('test done');
  });

  it('reports a parked saga as needing an operator, then its result with the decision', async () => {
    h.sandbox.state.holdQueue = true;
    try {
      const { seeded, handle } = await h.seedAndStart(
        {},
        { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
      );
      const progress = await parkedProgress(handle);
      const parked = await getCompletion(seeded.orderId);
      expect(parked.body).toMatchObject({
        status: 'RUNNING',
        needs_operator: true,
        parked: {
          reason: 'RELEASE_UNCONFIRMED',
          message: progress.parked?.message,
          since: progress.parked?.since,
          allowed: ['resend', 'markPaid', 'refund'],
        },
        progress: { status: 'NEEDS_OPERATOR' },
      });
      expect(parked.body.parked).not.toHaveProperty('paymentId');
      h.sandbox.state.loseHeld();
      const decision: OperatorDecision = {
        action: 'markPaid',
        operator: 'bob@example.com',
        reason: 'transfer found in the Stripe dashboard',
        transferId: 'tr_found7',
      };
      await handle.executeUpdate(DECIDE_UPDATE, { args: [decision] });
      // The saga watches the payment until the Payment Service records that payout.
      await progressWhen(handle, (p) => p.stepsDone.includes('markCompleted'));
      Object.assign(h.sandbox.state.payments.get(seeded.paymentId) ?? {}, {
        status: 'SUCCEEDED',
        transferId: 'tr_found7',
        runnerId: seeded.runnerId,
      });
      await handle.result();
      const done = await getCompletion(seeded.orderId);
      expect(done.body).toMatchObject({
        status: 'COMPLETED',
        result: {
          outcome: 'COMPLETED',
          transferId: 'tr_found7',
          decisions: [{ ...decision, parkedReason: 'RELEASE_UNCONFIRMED' }],
        },
      });
    } finally {
      h.sandbox.state.holdQueue = false;
    }
  });

  it('reports a cancelled saga as CANCELLED, with what it undid', async () => {
    const { seeded, handle } = await triggered({ connectAccountId: null });
    while (!(await waiting(handle))) await delay(50);
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const reply = await getCompletion(seeded.orderId);
    expect(reply.body).toMatchObject({
      status: 'CANCELLED',
      progress: { status: 'CANCELLED', compensationsRun: ['restoreOrderStatus'] },
    });
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
  });

  it('reports a failed saga with its failure type', async () => {
    const { seeded, handle } = await triggered({ orderStatus: 'CANCELLED' });
    await handle.result().catch(() => undefined);
    const reply = await getCompletion(seeded.orderId);
    expect(reply.body).toMatchObject({
      status: 'FAILED',
      failure: { type: 'OrderNotCompletable' },
    });
  });

  it('answers 404 when no saga exists for the order', async () => {
    const reply = await getCompletion(randomUUID());
    expect(reply.status).toBe(404);
    expect(reply.body.error).toBe('NOT_FOUND');
  });

  it("answers 404, not the saga, to a runner asking about another runner's order", async () => {
    const { seeded, handle } = await triggered();
    await handle.result();
    expect((await getCompletion(seeded.orderId, runnerAuth('user_intruder'))).status).toBe(404);
    expect((await getCompletion(seeded.orderId, runnerAuth(seeded.runnerId))).status).toBe(200);
  });

  it.each([
    'not-a-uuid',
    '..',
    '%2e%2e',
    `${randomUUID()}/x`,
  ])('answers 400 to the order id %j', async (orderId) => {
    const reply = await getCompletion(orderId);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('INVALID_REQUEST');
  });
});

describe('Function: health handler (GET /health)', () => {
  it('answers healthy without any Temporal settings', async () => {
    const reply = await invoke(
      health,
      { method: 'GET', url: '/health' },
      { routeKey: 'GET /health' },
      '/health',
    );
    expect(reply).toMatchObject({ status: 200, body: { status: 'healthy' } });
  });
});
