import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY, WORKFLOW_TYPE, workflowIdFor } from '../common/workflow-safe/names';
import type {
  CompleteOrderInput,
  CompleteOrderResult,
  SagaProgress,
} from '../common/workflow-safe/saga-contract';
import { failureOf } from './support/harness';
import { useTimeSkippingWorker } from './support/time-skipping';

/**
 * A runner who has not onboarded to Stripe Connect is waited on for a day, on the
 * time-skipping server so the day passes in seconds.
 */
describe('CompleteOrderWorkflow: waiting for the runner to onboard', () => {
  const ts = useTimeSkippingWorker('wait');

  const start = (input: CompleteOrderInput) =>
    ts.env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: ts.taskQueue,
      workflowId: workflowIdFor(input.orderId),
      args: [input],
    });

  /** Workflow time from start to close, as the server recorded it (skipped time included). */
  async function sagaDurationMs(handle: WorkflowHandle): Promise<number> {
    const { startTime, closeTime } = await handle.describe();
    return (closeTime?.getTime() ?? Number.NaN) - startTime.getTime();
  }

  it('fails with ConnectAccountMissing after the 24 h window and restores the order', async () => {
    const seeded = ts.sandbox.state.seedOrder({ connectAccountId: null });
    const handle = await start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    expect((await failureOf(handle)).type).toBe('ConnectAccountMissing');
    expect(await sagaDurationMs(handle)).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect(ts.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('ON_THE_WAY');
    expect(ts.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(0);
  });

  it('pays the runner who onboards during the window', async () => {
    const seeded = ts.sandbox.state.seedOrder({ connectAccountId: null });
    const handle = await start({ orderId: seeded.orderId, runnerId: seeded.runnerId });
    // Wait (in skipped time) until the saga reports it is waiting, then onboard the runner.
    await ts.env.sleep('2h');
    const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
    expect(progress.currentStep).toBe('getConnectAccount');
    expect(progress.waitingFor).toContain('Connect');
    ts.sandbox.state.connectAccounts.set(seeded.runnerId, 'acct_onboarded123');
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(ts.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it('honours a shorter configured window', async () => {
    const seeded = ts.sandbox.state.seedOrder({ connectAccountId: null });
    const handle = await start({
      orderId: seeded.orderId,
      runnerId: seeded.runnerId,
      settings: { connectAccountWaitMs: 10 * 60 * 1000 },
    });
    expect((await failureOf(handle)).type).toBe('ConnectAccountMissing');
    const elapsed = await sagaDurationMs(handle);
    expect(elapsed).toBeGreaterThanOrEqual(10 * 60 * 1000);
    expect(elapsed).toBeLessThan(24 * 60 * 60 * 1000);
  });
});
