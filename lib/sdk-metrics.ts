/**
 * The worker's SDK metrics as CloudWatch sees them (ADR 0010): one list that the ADOT
 * sidecar's configuration, the dashboard, the alarms and the tests all read, so a name
 * cannot drift between what the worker emits and what an alarm watches.
 */

/** CloudWatch namespace the sidecar writes to. */
export const SDK_METRICS_NAMESPACE = 'CompleteOrderSaga/Worker';

/** Names as the Temporal SDK core emits them (prefix `temporal_`, no unit suffix). */
export const SdkMetric = {
  workflowTaskFailed: 'temporal_workflow_task_execution_failed',
  workflowTaskScheduleToStart: 'temporal_workflow_task_schedule_to_start_latency',
  activityScheduleToStart: 'temporal_activity_schedule_to_start_latency',
  slotsAvailable: 'temporal_worker_task_slots_available',
  slotsUsed: 'temporal_worker_task_slots_used',
  stickyCacheHit: 'temporal_sticky_cache_hit',
  stickyCacheMiss: 'temporal_sticky_cache_miss',
  workflowPollSucceeded: 'temporal_workflow_task_queue_poll_succeed',
  workflowPollEmpty: 'temporal_workflow_task_queue_poll_empty',
  activityPollEmpty: 'temporal_activity_poll_no_task',
  pollers: 'temporal_num_pollers',
} as const;
export type SdkMetric = (typeof SdkMetric)[keyof typeof SdkMetric];

/** Metrics an alarm watches; the worker test proves each arrives after a saga. */
export const ALARMED_METRICS: readonly SdkMetric[] = [
  SdkMetric.workflowTaskFailed,
  SdkMetric.workflowTaskScheduleToStart,
  SdkMetric.activityScheduleToStart,
  SdkMetric.slotsAvailable,
];

/**
 * Which labels become CloudWatch dimensions, per metric. Every metric is published per
 * `task_queue` (what the alarms use); some also per one more label. Each combination is a
 * custom metric that costs money, so labels such as workflow_type stay in the EMF log
 * (Logs Insights can group by them) and out of the dimensions.
 */
export const DIMENSION_SETS: ReadonlyArray<{
  metrics: readonly SdkMetric[];
  dimensions: ReadonlyArray<readonly string[]>;
}> = [
  { metrics: Object.values(SdkMetric), dimensions: [['task_queue']] },
  { metrics: [SdkMetric.workflowTaskFailed], dimensions: [['task_queue', 'failure_reason']] },
  {
    metrics: [SdkMetric.slotsAvailable, SdkMetric.slotsUsed],
    dimensions: [['task_queue', 'worker_type']],
  },
  { metrics: [SdkMetric.pollers], dimensions: [['task_queue', 'poller_type']] },
];
