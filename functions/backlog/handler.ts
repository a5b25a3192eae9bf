/**
 * Scheduled every minute: publishes the saga task queue's approximate backlog (count and
 * age, for workflow and activity tasks) as CloudWatch metrics, which the worker service
 * scales on and the "backlog age growing" alarm watches.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { apiConfig } from '../config';
import { logger } from '../logger';
import { withTemporal } from '../temporal/client';

export const BACKLOG_NAMESPACE = 'CompleteOrderSaga';

export interface BacklogSample {
  queueType: 'workflow' | 'activity';
  count: number;
  ageSeconds: number;
}

const TYPES = [
  ['workflow', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
  ['activity', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
] as const;

function seconds(
  duration: { seconds?: unknown; nanos?: number | null } | null | undefined,
): number {
  return Number(duration?.seconds ?? 0) + (duration?.nanos ?? 0) / 1e9;
}

/** The task queue's backlog as the server reports it. */
export async function readBacklog(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<BacklogSample[]> {
  return Promise.all(
    TYPES.map(async ([queueType, taskQueueType]) => {
      const { stats } = await client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType,
        reportStats: true,
      });
      return {
        queueType,
        count: Number(stats?.approximateBacklogCount ?? 0),
        ageSeconds: seconds(stats?.approximateBacklogAge),
      };
    }),
  );
}

/** The samples as CloudWatch metric data (dimension TaskQueue, plus QueueType). */
export function toMetricData(samples: BacklogSample[], taskQueue: string, at: Date) {
  return samples.flatMap((s) => {
    const Dimensions = [
      { Name: 'TaskQueue', Value: taskQueue },
      { Name: 'QueueType', Value: s.queueType },
    ];
    return [
      {
        MetricName: 'ApproximateBacklogCount',
        Dimensions,
        Timestamp: at,
        Value: s.count,
        Unit: 'Count' as const,
      },
      {
        MetricName: 'ApproximateBacklogAge',
        Dimensions,
        Timestamp: at,
        Value: s.ageSeconds,
        Unit: 'Seconds' as const,
      },
    ];
  });
}

export async function handler(): Promise<BacklogSample[]> {
  const { temporal: connection, taskQueue } = apiConfig();
  const samples = await withTemporal((client) =>
    readBacklog(client, connection.namespace, taskQueue),
  );
  const { CloudWatchClient, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  await new CloudWatchClient({}).send(
    new PutMetricDataCommand({
      Namespace: BACKLOG_NAMESPACE,
      MetricData: toMetricData(samples, taskQueue, new Date()),
    }),
  );
  logger.info('backlog published', { taskQueue, samples });
  return samples;
}
