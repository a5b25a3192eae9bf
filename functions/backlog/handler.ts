/**
 * Scheduled every minute: publishes the saga task queue's approximate backlog (count and
 * age) and its pollers, for workflow and activity tasks, as CloudWatch metrics, which the
 * worker service scales on and the "no pollers" and "backlog age" alarms watch. When this
 * function fails, the metrics stop: that silence is alarmed too.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import {
  PARKED_SAGAS_METRIC,
  parkedSagasQuery,
  QUEUE_METRICS,
  QUEUE_METRICS_NAMESPACE,
  QUEUE_TYPES,
  type QueueMetric,
  type QueueType,
  queueDimensions,
  taskQueueDimensions,
} from '../../common/queue-metrics';
import { apiConfig } from '../config';
import { logger } from '../logger';
import { withTemporal } from '../temporal/client';

export interface BacklogSample {
  queueType: QueueType;
  count: number;
  ageSeconds: number;
  /** Workers that polled this queue type recently. */
  pollers: number;
}

const TASK_QUEUE_TYPE: Record<QueueType, temporal.api.enums.v1.TaskQueueType> = {
  workflow: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
};

/** CloudWatch's list form of a dimensions map. */
function dimensionList(dimensions: Record<string, string>) {
  return Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
}

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
    QUEUE_TYPES.map(async (queueType) => {
      const { stats, pollers } = await client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: TASK_QUEUE_TYPE[queueType],
        reportStats: true,
      });
      return {
        queueType,
        count: Number(stats?.approximateBacklogCount ?? 0),
        ageSeconds: seconds(stats?.approximateBacklogAge),
        pollers: pollers?.length ?? 0,
      };
    }),
  );
}

const VALUE: Record<QueueMetric, (s: BacklogSample) => number> = {
  backlogCount: (s) => s.count,
  backlogAge: (s) => s.ageSeconds,
  pollers: (s) => s.pollers,
};

/** The samples as CloudWatch metric data (dimensions TaskQueue and QueueType). */
export function toMetricData(samples: BacklogSample[], taskQueue: string, at: Date) {
  return samples.flatMap((sample) => {
    const Dimensions = dimensionList(queueDimensions(taskQueue, sample.queueType));
    return (Object.keys(QUEUE_METRICS) as QueueMetric[]).map((metric) => ({
      MetricName: QUEUE_METRICS[metric].name,
      Dimensions,
      Timestamp: at,
      Value: VALUE[metric](sample),
      Unit: QUEUE_METRICS[metric].unit,
    }));
  });
}

/** How many sagas on `taskQueue` wait for an operator (docs/runbook.md). */
export async function countParked(client: Client, taskQueue: string): Promise<number> {
  const { count } = await client.workflow.count(parkedSagasQuery(taskQueue));
  return count;
}

/** The parked-sagas gauge as CloudWatch metric data (dimension TaskQueue). */
export function parkedMetricData(parked: number, taskQueue: string, at: Date) {
  return {
    MetricName: PARKED_SAGAS_METRIC.name,
    Dimensions: dimensionList(taskQueueDimensions(taskQueue)),
    Timestamp: at,
    Value: parked,
    Unit: PARKED_SAGAS_METRIC.unit,
  };
}

/** Everything one run publishes, as the PutMetricData request. */
export function publication(samples: BacklogSample[], parked: number, taskQueue: string, at: Date) {
  return {
    Namespace: QUEUE_METRICS_NAMESPACE,
    MetricData: [...toMetricData(samples, taskQueue, at), parkedMetricData(parked, taskQueue, at)],
  };
}

export async function handler(): Promise<BacklogSample[]> {
  const { temporal: connection, taskQueue } = apiConfig();
  const [samples, parked] = await withTemporal((client) =>
    Promise.all([
      readBacklog(client, connection.namespace, taskQueue),
      countParked(client, taskQueue),
    ]),
  );
  const { CloudWatchClient, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  await new CloudWatchClient({}).send(
    new PutMetricDataCommand(publication(samples, parked, taskQueue, new Date())),
  );
  logger.info('backlog published', { taskQueue, samples, parked });
  return samples;
}
