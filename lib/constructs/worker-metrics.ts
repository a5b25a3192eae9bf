import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TASK_QUEUE } from '../../common/workflow-safe/names';
import { SDK_METRICS_NAMESPACE, SdkMetric } from '../sdk-metrics';

export interface WorkerMetricsProps {
  /** The dashboard the widgets are added to. */
  readonly dashboard: Dashboard;
  /** Alarms notify this topic. */
  readonly topic: ITopic;
  /** @default the saga's task queue */
  readonly taskQueue?: string;
}

const MINUTE = Duration.minutes(1);
/** Workflow tasks normally start within milliseconds (sticky); 2 s means no free worker. */
const WORKFLOW_TASK_WAIT_MS = 2_000;
/** Activities are short HTTP calls; 10 s waiting for a slot means the workers are full. */
const ACTIVITY_WAIT_MS = 10_000;

/**
 * The worker's SDK metrics (written by the ADOT sidecar, ADR 0010) on the dashboard, and
 * their alarms: any workflow-task failure (after a deploy: non-determinism), tasks waiting
 * for a worker, and the metrics themselves going missing.
 */
export class WorkerMetrics extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly taskQueue: string;

  constructor(scope: Construct, id: string, props: WorkerMetricsProps) {
    super(scope, id);
    this.taskQueue = props.taskQueue ?? TASK_QUEUE;
    const failures = this.metric(SdkMetric.workflowTaskFailed, 'Sum');
    const workflowWait = this.metric(SdkMetric.workflowTaskScheduleToStart, 'Average');
    const activityWait = this.metric(SdkMetric.activityScheduleToStart, 'Average');
    const reporting = this.metric(SdkMetric.slotsAvailable, 'SampleCount');
    const alarm = (id: string, metric: IMetric, threshold: number, text: string, periods = 1) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `complete-order-saga: ${text}`,
      });
      created.addAlarmAction(new SnsAction(props.topic));
      this.alarms.push(created);
    };
    alarm(
      'WorkflowTaskFailures',
      failures,
      1,
      'workflow tasks failed (after a deploy: non-determinism; see failure_reason)',
    );
    alarm(
      'WorkflowTaskWait',
      workflowWait,
      WORKFLOW_TASK_WAIT_MS,
      'workflow tasks wait for a worker',
      5,
    );
    alarm(
      'ActivityTaskWait',
      activityWait,
      ACTIVITY_WAIT_MS,
      'activities wait for a worker slot',
      5,
    );
    const missing = new Alarm(this, 'SdkMetricsMissing', {
      metric: reporting,
      threshold: 1,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: 'complete-order-saga: no worker SDK metrics for 5 minutes (sidecar down?)',
    });
    missing.addAlarmAction(new SnsAction(props.topic));
    this.alarms.push(missing);
    props.dashboard.addWidgets(...this.widgets(failures, workflowWait, activityWait));
  }

  private widgets(failures: IMetric, workflowWait: IMetric, activityWait: IMetric): GraphWidget[] {
    const max = (m: SdkMetric) => this.metric(m, 'Maximum');
    const sum = (m: SdkMetric) => this.metric(m, 'Sum');
    return [
      graph('Workflow task failures', [
        failures,
        this.search(SdkMetric.workflowTaskFailed, 'failure_reason'),
      ]),
      graph('Schedule-to-start latency (ms)', [
        workflowWait,
        max(SdkMetric.workflowTaskScheduleToStart),
        activityWait,
        max(SdkMetric.activityScheduleToStart),
      ]),
      graph('Task slots used / available', [
        this.search(SdkMetric.slotsUsed, 'worker_type', 'Average'),
        this.search(SdkMetric.slotsAvailable, 'worker_type', 'Average'),
      ]),
      graph('Sticky cache hits / misses', [
        sum(SdkMetric.stickyCacheHit),
        sum(SdkMetric.stickyCacheMiss),
      ]),
      graph('Polls: with a task / empty', [
        sum(SdkMetric.workflowPollSucceeded),
        sum(SdkMetric.workflowPollEmpty),
        sum(SdkMetric.activityPollEmpty),
      ]),
      graph('Pollers', [this.search(SdkMetric.pollers, 'poller_type', 'Average')]),
    ];
  }

  /** `name` on the saga's task queue (the dimension every SDK metric is published with). */
  private metric(name: SdkMetric, statistic: string): Metric {
    return new Metric({
      namespace: SDK_METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { task_queue: this.taskQueue },
      statistic,
      period: MINUTE,
    });
  }

  /** One line per value of `label` (a dimension published with task_queue). */
  private search(name: SdkMetric, label: string, statistic = 'Sum'): MathExpression {
    const schema = `{${SDK_METRICS_NAMESPACE},task_queue,${label}}`;
    return new MathExpression({
      expression: `SEARCH('${schema} MetricName="${name}" task_queue="${this.taskQueue}"', '${statistic}', 60)`,
      label: `by ${label}`,
      period: MINUTE,
    });
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title: `Worker SDK: ${title}`, left: metrics, width: 12 });
}
