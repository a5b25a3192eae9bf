/**
 * The cold-start floor: a Lambda handler that contains only @temporalio/client and does
 * what the trigger must do at least: connect and start one workflow.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';

export async function handler(): Promise<{ statusCode: number }> {
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
  });
  const client = new Client({ connection });
  await client.workflow.start('CompleteOrderWorkflow', {
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-unpolled',
    workflowId: `bench-floor-${randomUUID()}`,
    args: [{}],
  });
  return { statusCode: 200 };
}
