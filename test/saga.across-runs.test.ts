import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/saga';
import type { LedgerEntry } from '../sandbox';
import { FAST_SETTINGS, progressWhen, useHarness } from './support/harness';

/**
 * "At most one release" holds per payment, not per run: a release queued by one run is
 * never sent again by a run started after it was terminated or reset (issue 9, case 1).
 * The sandbox holds the queued release, so the payment stays AUTHORIZED while the next
 * run looks at it, as a slow settlement would.
 */
describe('CompleteOrderWorkflow: one release per payment across runs', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });

  function nextLedger(kind: LedgerEntry['kind'], orderId: string): Promise<LedgerEntry> {
    return new Promise((resolve) => {
      const listener = (entry: LedgerEntry) => {
        if (entry.kind !== kind || entry.orderId !== orderId) return;
        h.sandbox.state.off('ledger', listener);
        resolve(entry);
      };
      h.sandbox.state.on('ledger', listener);
    });
  }

  /** Starts a saga and returns once its release is queued (and held, unsettled). */
  async function sagaWithQueuedRelease() {
    h.sandbox.state.holdQueue = true;
    const seeded = h.sandbox.state.seedOrder();
    const queued = nextLedger('release-request', seeded.orderId);
    const input = { orderId: seeded.orderId, runnerId: seeded.runnerId, settings: FAST_SETTINGS };
    const first = await h.start(input);
    await queued;
    return { seeded, input, first };
  }

  /** The run is confirming the payment: it decided, and sent nothing. */
  const confirming = (handle: WorkflowHandle) =>
    progressWhen(handle, (p) => p.waitingFor === 'payment settlement');

  async function expectOneTransfer(orderId: string, handle: WorkflowHandle) {
    const { state } = h.sandbox;
    expect(state.heldCount).toBe(1);
    state.holdQueue = false;
    state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(state.entries('release-request', orderId)).toHaveLength(1);
    expect(state.entries('transfer', orderId)).toHaveLength(1);
    expect(state.orders.get(orderId)?.orderStatus).toBe('COMPLETED');
  }

  it('does not release again when the saga is terminated after queueing and started again', async () => {
    const { seeded, input, first } = await sagaWithQueuedRelease();
    await first.terminate('operator terminated a slow saga');
    const second = await h.start(input);
    await confirming(second);
    await expectOneTransfer(seeded.orderId, second);
  });

  it('does not release again when the saga is reset to before its release claim', async () => {
    const { seeded, first } = await sagaWithQueuedRelease();
    await confirming(first);
    const history = await first.fetchHistory();
    const events = history.events ?? [];
    const claimAt = events.findIndex(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'claimRelease',
    );
    const taskStarted = events
      .slice(0, claimAt)
      .reverse()
      .find((e) => e.workflowTaskStartedEventAttributes);
    const run = await first.describe();
    const { runId } = await h.client.workflowService.resetWorkflowExecution({
      namespace: h.client.options.namespace,
      workflowExecution: { workflowId: first.workflowId, runId: run.runId },
      reason: 'test: reset to before the release claim',
      workflowTaskFinishEventId: taskStarted?.eventId,
      requestId: randomUUID(),
    });
    const reset = h.client.workflow.getHandle(first.workflowId, runId ?? undefined);
    await confirming(reset);
    await expectOneTransfer(seeded.orderId, reset);
  });
});
