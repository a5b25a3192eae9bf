import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';

/**
 * Resets `handle` to the workflow task started just before `activity` was scheduled, or
 * just after it completed: the new run replays everything up to there. Returns the new run.
 */
export async function resetAround(
  client: Client,
  handle: WorkflowHandle,
  activity: string,
  side: 'before' | 'after',
): Promise<WorkflowHandle> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduledAt = events.findIndex(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
  );
  const scheduledId = events[scheduledAt]?.eventId?.toString();
  const completedAt = events.findIndex(
    (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduledId,
  );
  const isTask = (e: (typeof events)[number]) => e.workflowTaskStartedEventAttributes;
  const task =
    side === 'before'
      ? events.slice(0, scheduledAt).reverse().find(isTask)
      : events.slice(completedAt).find(isTask);
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId: (await handle.describe()).runId },
    reason: `test: reset ${side} ${activity}`,
    workflowTaskFinishEventId: task?.eventId,
    requestId: randomUUID(),
  });
  return client.workflow.getHandle(handle.workflowId, runId ?? undefined);
}
