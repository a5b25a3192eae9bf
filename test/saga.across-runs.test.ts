import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { DECIDE_UPDATE } from '../common/operator';
import type { CompleteOrderResult } from '../common/saga';
import type { LedgerEntry } from '../sandbox';
import { FAST_SETTINGS, parkedProgress, progressWhen, useHarness } from './support/harness';

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

  it('does not release again when reset to the workflow task that sent the release', async () => {
    // "Reset to last workflow task" while the release reply is in flight lands here: the
    // new run replays the claim granted to the old run, then reaches the send again.
    const { seeded, first } = await sagaWithQueuedRelease();
    await confirming(first);
    const events = (await first.fetchHistory()).events ?? [];
    const claimed = events.findIndex((e) => {
      const scheduled = e.activityTaskCompletedEventAttributes?.scheduledEventId;
      const activity = events.find((s) => Number(s.eventId) === Number(scheduled));
      return activity?.activityTaskScheduledEventAttributes?.activityType?.name === 'claimRelease';
    });
    const sendingTask = events.slice(claimed).find((e) => e.workflowTaskStartedEventAttributes);
    const run = await first.describe();
    const { runId } = await h.client.workflowService.resetWorkflowExecution({
      namespace: h.client.options.namespace,
      workflowExecution: { workflowId: first.workflowId, runId: run.runId },
      reason: 'test: reset to the workflow task that sent the release',
      workflowTaskFinishEventId: sendingTask?.eventId,
      requestId: randomUUID(),
    });
    const reset = h.client.workflow.getHandle(first.workflowId, runId ?? undefined);
    await confirming(reset);
    await expectOneTransfer(seeded.orderId, reset);
  });

  it("parks a later run that finds the claim taken, and sends on an operator's resend", async () => {
    // The first run claims the payment, then only ever hears 503 KAFKA_ERROR: nothing is
    // queued when it is terminated, but a later run cannot know that.
    const seeded = h.sandbox.state.seedOrder();
    const outage = h.sandbox.faults.inject({
      route: 'release',
      key: seeded.paymentId,
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const input = { orderId: seeded.orderId, runnerId: seeded.runnerId, settings: FAST_SETTINGS };
    const first = await h.start(input);
    await progressWhen(
      first,
      (p) => p.waitingFor?.startsWith('payment service to accept') === true,
    );
    await first.terminate('operator terminated a saga stuck in an outage');
    outage.remove();
    const second = await h.start({
      ...input,
      settings: { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
    });
    expect((await parkedProgress(second)).parked?.reason).toBe('RELEASE_UNCONFIRMED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(0);
    await second.executeUpdate(DECIDE_UPDATE, {
      args: [{ action: 'resend', operator: 'ops@example.com', reason: 'no transfer in Stripe' }],
    });
    const result = (await second.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });
});
