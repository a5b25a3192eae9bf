/**
 * The cold-start floor: a Lambda handler that contains only @temporalio/client (and our
 * start options) and does what the trigger must do at least: connect and start one saga.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { completeOrderStart } from '../common/start';

export async function handler(): Promise<{ statusCode: number }> {
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
  });
  const client = new Client({ connection });
  // The same start the trigger makes (id, input, search attributes): only the handler differs.
  const input = { orderId: randomUUID(), runnerId: 'user_bench' };
  const { workflowType, options } = completeOrderStart(
    input,
    process.env.TEMPORAL_TASK_QUEUE ?? 'bench-unpolled',
  );
  await client.workflow.start(workflowType, options);
  return { statusCode: 200 };
}
