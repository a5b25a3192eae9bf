import { describe, expect, it } from 'vitest';
import { workflowIdFor } from '../common/workflow-safe/names';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { handler as trigger } from '../functions/trigger/handler';
import { invoke, runnerAuth, TRIGGER_ROUTE, triggerRequest } from './support/api';
import { failureOf, useHarness } from './support/harness';

const PATH = '/triggerCompleteOrderWorkflow';
const post = (body: unknown, options?: Parameters<typeof triggerRequest>[1]) =>
  invoke(trigger, triggerRequest(body, options), TRIGGER_ROUTE, PATH);

describe('Function: trigger handler (POST /triggerCompleteOrderWorkflow)', () => {
  const h = useHarness({ api: true });

  const exists = (orderId: string) =>
    h.client.workflow
      .getHandle(workflowIdFor(orderId))
      .describe()
      .then(
        () => true,
        () => false,
      );

  it('starts the saga with search attributes, and the saga pays the runner', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const reply = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      message: 'Workflow triggered',
      workflow_id: workflowIdFor(seeded.orderId),
    });
    const handle = h.client.workflow.getHandle(workflowIdFor(seeded.orderId));
    await handle.result();
    const { searchAttributes, runId } = await handle.describe();
    expect(runId).toBe(reply.body.run_id);
    expect(searchAttributes).toMatchObject({
      OrderId: [seeded.orderId],
      RunnerId: [seeded.runnerId],
    });
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it('accepts clerk_user_id, as existing clients send it, and an upper-case order id', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const reply = await post({
      order_id: seeded.orderId.toUpperCase(),
      clerk_user_id: seeded.runnerId,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.workflow_id).toBe(workflowIdFor(seeded.orderId));
  });

  it('answers a trigger for a running saga with that saga, starting nothing', async () => {
    const seeded = h.sandbox.state.seedOrder({ connectAccountId: null });
    const first = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    const second = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    expect(second.body).toEqual({ ...first.body, message: 'Workflow already running' });
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).terminate('test done');
  });

  it('answers a trigger after completion with the completed saga', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const first = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).result();
    const again = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    expect(again.body).toEqual({ ...first.body, message: 'Workflow already completed' });
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
  });

  it('starts a new saga after a failed one (the cause may have been fixed)', async () => {
    const seeded = h.sandbox.state.seedOrder();
    h.sandbox.state.connectAccounts.delete(seeded.runnerId);
    const first = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    await h.client.workflow
      .getHandle(workflowIdFor(seeded.orderId))
      .result()
      .catch(() => undefined);
    h.sandbox.state.connectAccounts.set(seeded.runnerId, 'acct_fixed123');
    const second = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    expect(second.body.message).toBe('Workflow triggered');
    expect(second.body.run_id).not.toBe(first.body.run_id);
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).result();
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it('starts one saga for 25 concurrent triggers of one order, and pays once', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const body = { order_id: seeded.orderId, runner_id: seeded.runnerId };
    const replies = await Promise.all(Array.from({ length: 25 }, () => post(body)));
    expect(replies.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(new Set(replies.map((r) => r.body.run_id)).size).toBe(1);
    expect(replies.filter((r) => r.body.message === 'Workflow triggered')).toHaveLength(1);
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).result();
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
  });

  it("answers 409 with Retry-After while another runner's saga holds the order, then starts the order's runner's saga once that one failed", async () => {
    const seeded = h.sandbox.state.seedOrder();
    const intruder = 'user_intruder42';
    // The Order Service is down: the intruder's saga is held in its first read, running.
    h.sandbox.faults.inject({ route: 'getOrderDetails', status: 503, times: Infinity });
    const theirs = await post(
      { order_id: seeded.orderId, runner_id: intruder },
      { authorizer: runnerAuth(intruder) },
    );
    expect(theirs.body.message).toBe('Workflow triggered');
    const body = { order_id: seeded.orderId, runner_id: seeded.runnerId };
    const mine = { authorizer: runnerAuth(seeded.runnerId) };
    const refused = await post(body, mine);
    expect(refused.status).toBe(409);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body.error).toBe('SAGA_OWNED_BY_ANOTHER_RUNNER');
    expect(refused.body.message).toContain('retry after 5 seconds');
    const text = JSON.stringify(refused);
    expect(text).not.toContain(intruder);
    expect(text).not.toContain(String(theirs.body.run_id));
    h.sandbox.faults.clear();
    const handle = h.client.workflow.getHandle(theirs.body.workflow_id as string);
    expect((await failureOf(handle)).type).toBe('RunnerMismatch');
    const retried = await post(body, mine);
    expect(retried.status).toBe(200);
    expect(retried.body.message).toBe('Workflow triggered');
    const result = (await h.client.workflow
      .getHandle(workflowIdFor(seeded.orderId))
      .result()) as CompleteOrderResult;
    expect(result).toMatchObject({ outcome: 'COMPLETED', runnerId: seeded.runnerId });
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it("answers 409 without Retry-After after another runner's saga completed the order", async () => {
    const seeded = h.sandbox.state.seedOrder();
    const first = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).result();
    const other = await post({ order_id: seeded.orderId, runner_id: 'user_intruder42' });
    expect(other.status).toBe(409);
    expect(other.headers['retry-after']).toBeUndefined();
    expect(other.body).toEqual({
      error: 'SAGA_OWNED_BY_ANOTHER_RUNNER',
      message: 'this order was already completed by a saga for another runner',
    });
    expect(JSON.stringify(other)).not.toContain(String(first.body.run_id));
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
  });

  it('lets a runner (JWT) trigger only their own delivery', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const body = { order_id: seeded.orderId, runner_id: seeded.runnerId };
    const other = await post(body, { authorizer: runnerAuth('user_intruder') });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('FORBIDDEN');
    expect(await exists(seeded.orderId)).toBe(false);
    const own = await post(body, { authorizer: runnerAuth(seeded.runnerId) });
    expect(own.status).toBe(200);
  });

  it('refuses a request without a verified identity with 401', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const request = triggerRequest({ order_id: seeded.orderId, runner_id: seeded.runnerId });
    const reply = await invoke(trigger, { ...request, authorizer: undefined }, TRIGGER_ROUTE, PATH);
    expect(reply.status).toBe(401);
    expect(await exists(seeded.orderId)).toBe(false);
  });
});
