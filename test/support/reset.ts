import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';

type HistoryEvent = NonNullable<
  Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']
>[number];

const isTask = (e: HistoryEvent) => e.workflowTaskStartedEventAttributes;

/** Resets `handle`'s current run to the workflow task started at `task`; returns the new run. */
export async function resetToTask(
  client: Client,
  handle: WorkflowHandle,
  task: HistoryEvent | undefined,
  reason: string,
): Promise<WorkflowHandle> {
  if (!task) throw new Error(`no workflow task to reset to (${reason})`);
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId: (await handle.describe()).runId },
    reason,
    workflowTaskFinishEventId: task.eventId,
    requestId: randomUUID(),
  });
  return client.workflow.getHandle(handle.workflowId, runId ?? undefined);
}

/**
 * Resets `handle` to the workflow task started just before `activity` was scheduled (its
 * first, or with `last` its last, scheduling), or just after it completed: the new run
 * replays everything up to there. Returns the new run.
 */
export async function resetAround(
  client: Client,
  handle: WorkflowHandle,
  activity: string,
  side: 'before' | 'after',
  which: 'first' | 'last' = 'first',
): Promise<WorkflowHandle> {
  const events = (await handle.fetchHistory()).events ?? [];
  const isScheduled = (e: HistoryEvent) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name === activity;
  const scheduledAt =
    which === 'first' ? events.findIndex(isScheduled) : events.findLastIndex(isScheduled);
  const scheduledId = events[scheduledAt]?.eventId?.toString();
  const completedAt = events.findIndex(
    (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduledId,
  );
  const task =
    side === 'before'
      ? events.slice(0, scheduledAt).reverse().find(isTask)
      : events.slice(completedAt).find(isTask);
  return resetToTask(client, handle, task, `test: reset ${side} ${activity}`);
}

/**
 * Resets `handle` to a workflow task before the one that accepted the Update `updateId`
 * (that one may be speculative, which no reset can target): the server re-applies the
 * Update to the new run, under the same id. Returns the new run.
 */
export async function resetBeforeUpdate(
  client: Client,
  handle: WorkflowHandle,
  updateId: string,
): Promise<WorkflowHandle> {
  const events = (await handle.fetchHistory()).events ?? [];
  const acceptedAt = events.findIndex(
    (e) =>
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ===
      updateId,
  );
  if (acceptedAt < 0) throw new Error(`update ${updateId} was never accepted`);
  const task = events.slice(0, acceptedAt).filter(isTask).at(-2);
  return resetToTask(client, handle, task, `test: reset before update ${updateId}`);
}
