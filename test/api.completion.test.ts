import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import { DECIDE_UPDATE, type OperatorDecision } from '../common/workflow-safe/operator';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { handler as completion } from '../functions/completion/handler';
import { RUNNER_CHECKING } from '../functions/completion/views';
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
        view: 'full',
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
        view: 'full',
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

  it("shows a runner a parked saga only as being checked: no message, no operator's name or reason", async () => {
    h.sandbox.state.holdQueue = true;
    try {
      const { seeded, handle } = await h.seedAndStart(
        {},
        { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
      );
      await parkedProgress(handle);
      h.sandbox.state.loseHeld();
      // An operator's resend that is lost too: the saga parks again, its decision recorded.
      const resend: OperatorDecision = {
        action: 'resend',
        operator: 'alice@example.com',
        reason: 'no transfer in the Stripe dashboard for pi_secret_note',
      };
      await handle.executeUpdate(DECIDE_UPDATE, { args: [resend] });
      const again = await progressWhen(
        handle,
        (p) => p.status === 'NEEDS_OPERATOR' && (p.decisions?.length ?? 0) === 1,
      );
      const message = again.parked?.message ?? '';
      expect(message).not.toBe('');

      const service = await getCompletion(seeded.orderId, serviceAuth);
      expect(service.body).toMatchObject({
        view: 'full',
        needs_operator: true,
        parked: { reason: 'RELEASE_UNCONFIRMED', message },
        progress: { decisions: [{ ...resend, parkedReason: 'RELEASE_UNCONFIRMED' }] },
      });

      const runner = await getCompletion(seeded.orderId, runnerAuth(seeded.runnerId));
      expect(runner.status).toBe(200);
      expect(runner.body).toMatchObject({
        view: 'runner',
        status: 'RUNNING',
        needs_operator: true,
        checking: RUNNER_CHECKING,
        progress: { status: 'NEEDS_OPERATOR' },
      });
      expect(runner.body).not.toHaveProperty('parked');
      expect(runner.body.progress).not.toHaveProperty('parked');
      expect(runner.body.progress).not.toHaveProperty('decisions');
      const seen = JSON.stringify(runner.body);
      for (const hidden of [
        message,
        'RELEASE_UNCONFIRMED',
        'alice@example.com',
        resend.reason,
        seeded.paymentId,
      ]) {
        expect(seen).not.toContain(hidden);
      }

      h.sandbox.state.loseHeld();
      const markPaid: OperatorDecision = {
        action: 'markPaid',
        operator: 'bob@example.com',
        reason: 'transfer tr_found8 found by the Stripe support ticket',
        transferId: 'tr_found8',
      };
      await handle.executeUpdate(DECIDE_UPDATE, { args: [markPaid] });
      await handle.result();
      const full = await getCompletion(seeded.orderId, serviceAuth);
      expect(full.body).toMatchObject({
        view: 'full',
        result: {
          transferId: 'tr_found8',
          payment: { paymentId: seeded.paymentId },
          decisions: [{ operator: 'alice@example.com' }, { operator: 'bob@example.com' }],
        },
      });
      const done = await getCompletion(seeded.orderId, runnerAuth(seeded.runnerId));
      expect(done.body).toEqual({
        view: 'runner',
        order_id: seeded.orderId,
        workflow_id: handle.workflowId,
        run_id: expect.any(String),
        status: 'COMPLETED',
        result: {
          orderId: seeded.orderId,
          runnerId: seeded.runnerId,
          outcome: 'COMPLETED',
          orderStatus: 'COMPLETED',
          transferId: 'tr_found8',
          cancelRequested: false,
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
    const runner = await getCompletion(seeded.orderId, runnerAuth(seeded.runnerId));
    expect(runner.body).toMatchObject({
      view: 'runner',
      status: 'CANCELLED',
      progress: { status: 'CANCELLED', compensationsRun: ['restoreOrderStatus'] },
    });
    expect(runner.body.progress).not.toHaveProperty('decisions');
  });

  it('reports a failed saga with its failure type', async () => {
    const { seeded, handle } = await triggered({ orderStatus: 'CANCELLED' });
    await handle.result().catch(() => undefined);
    const reply = await getCompletion(seeded.orderId);
    expect(reply.body).toMatchObject({
      view: 'full',
      status: 'FAILED',
      failure: { type: 'OrderNotCompletable', message: expect.stringContaining('CANCELLED') },
    });
    // A runner reads the type and a sentence meant for them, not the internal message.
    const runner = await getCompletion(seeded.orderId, runnerAuth(seeded.runnerId));
    expect(runner.body).toMatchObject({
      view: 'runner',
      status: 'FAILED',
      failure: {
        type: 'OrderNotCompletable',
        message: 'The order was changed or cancelled before the payout.',
      },
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
