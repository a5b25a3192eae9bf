/**
 * The task queue metrics that the backlog publisher (functions/backlog) writes and the CDK
 * app scales and alarms on (lib/constructs): one table, so a renamed metric cannot leave
 * an alarm watching nothing.
 */
import { SEARCH_ATTRIBUTE_NAMES } from './workflow-safe/names';
import { SagaState } from './workflow-safe/operator';

export const QUEUE_METRICS_NAMESPACE = 'CompleteOrderSaga';

/** Temporal's own task queue types, as the dimension `QueueType` names them. */
export const QUEUE_TYPES = ['workflow', 'activity'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export const QUEUE_METRICS = {
  /** Tasks waiting for a worker (approximate, from DescribeTaskQueue). */
  backlogCount: { name: 'ApproximateBacklogCount', unit: 'Count' },
  /** Age of the oldest waiting task, in seconds. */
  backlogAge: { name: 'ApproximateBacklogAge', unit: 'Seconds' },
  /** Workers that polled the queue recently (0: nothing would run a saga). */
  pollers: { name: 'PollerCount', unit: 'Count' },
} as const;
export type QueueMetric = keyof typeof QUEUE_METRICS;

/** The dimensions of every queue metric. */
export function queueDimensions(taskQueue: string, queueType: QueueType) {
  return { ...taskQueueDimensions(taskQueue), QueueType: queueType };
}

/**
 * Sagas parked for an operator (SagaState = NEEDS_OPERATOR, still running) on the task
 * queue, counted by the same publisher; dimension TaskQueue.
 */
export const PARKED_SAGAS_METRIC = { name: 'ParkedSagas', unit: 'Count' } as const;

/** The dimension every metric here has; the parked-sagas metric has it alone. */
export function taskQueueDimensions(taskQueue: string) {
  return { TaskQueue: taskQueue };
}

/** The visibility query that counts them. */
export function parkedSagasQuery(taskQueue: string): string {
  return `${SEARCH_ATTRIBUTE_NAMES.sagaState} = "${SagaState.needsOperator}" AND ExecutionStatus = "Running" AND TaskQueue = "${taskQueue}"`;
}
