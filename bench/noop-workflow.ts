/**
 * The saga's ceiling: a workflow that runs as many activities as a completed saga does
 * (read order, DELIVERED, Connect account, payment, release, settlement read, COMPLETED),
 * each doing nothing. Same server, same worker settings: what Temporal itself costs.
 */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(step: string): Promise<void> }>({
  startToCloseTimeout: '30s',
});

export const SAGA_ACTIVITY_COUNT = 7;

export async function NoopSagaWorkflow(): Promise<void> {
  for (let step = 0; step < SAGA_ACTIVITY_COUNT; step++) await noop(String(step));
}
