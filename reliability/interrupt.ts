/**
 * What an operator can do to a running saga from the Temporal UI or CLI: terminate it,
 * cancel it, or reset it to its first or its last workflow task (a reset run replays the
 * history up to that point and carries on with the current code).
 */
import { randomUUID } from 'node:crypto';
import type { ReliabilityEnvironment } from './environment';
import { sagaHandle } from './helpers';

export const INTERRUPTIONS = [
  'terminate',
  'cancel',
  'reset to first task',
  'reset to last task',
] as const;
export type Interruption = (typeof INTERRUPTIONS)[number];

async function reset(env: ReliabilityEnvironment, orderId: string, to: 'first' | 'last') {
  const handle = sagaHandle(env, orderId);
  const { runId } = await handle.describe();
  const events = (await sagaHandle(env, orderId, runId).fetchHistory()).events ?? [];
  const tasks = events.filter((e) => e.workflowTaskCompletedEventAttributes);
  const target = to === 'first' ? tasks[0] : tasks.at(-1);
  if (!target) throw new Error(`run ${runId} has no completed workflow task to reset to`);
  const reply = await env.client.workflowService.resetWorkflowExecution({
    namespace: env.client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId },
    reason: `reliability suite: reset to the ${to} workflow task`,
    workflowTaskFinishEventId: target.eventId,
    requestId: randomUUID(),
  });
  if (!reply.runId) throw new Error('reset answered no run id');
  env.noteRun(orderId, reply.runId);
}

/** Interrupts the order's current saga run the way `how` says. */
export async function interrupt(
  env: ReliabilityEnvironment,
  orderId: string,
  how: Interruption,
): Promise<void> {
  const handle = sagaHandle(env, orderId);
  if (how === 'terminate') await handle.terminate('reliability suite: terminated by an operator');
  else if (how === 'cancel') await handle.cancel();
  else await reset(env, orderId, how === 'reset to first task' ? 'first' : 'last');
}
