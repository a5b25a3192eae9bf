import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  PARKED_SAGAS_METRIC,
  QUEUE_METRICS,
  QUEUE_METRICS_NAMESPACE,
  type QueueMetric,
  type QueueType,
  queueDimensions,
  taskQueueDimensions,
} from '../../common/queue-metrics';
import { TASK_QUEUE } from '../../common/workflow-safe/names';
import { acknowledge } from '../nag-suppressions';
import { NodeFunction } from './node-function';
import type { TemporalAccess } from './temporal-access';

/** Time the publisher has beyond the Temporal calls' budget, for PutMetricData. */
const PUBLISH_ALLOWANCE_SECONDS = 15;

export interface BacklogMetricProps {
  readonly temporal: TemporalAccess;
  readonly logRetention: RetentionDays;
  /** The Lambda budget's timeout (lambda.timeoutSeconds), which covers the Temporal calls. */
  readonly temporalTimeoutSeconds: number;
}

/**
 * Temporal's approximate backlog and the pollers of the saga's task queue, published every
 * minute as CloudWatch metrics by a small scheduled function (common/queue-metrics.ts):
 * what the worker scales on and what the queue alarms watch.
 */
export class BacklogMetric extends Construct {
  readonly publisher: NodeFunction;

  constructor(scope: Construct, id: string, props: BacklogMetricProps) {
    super(scope, id);
    this.publisher = new NodeFunction(this, 'Publisher', {
      entry: 'functions/backlog/handler.ts',
      environment: { ...props.temporal.lambdaEnvironment(), TEMPORAL_TASK_QUEUE: TASK_QUEUE },
      logRetention: props.logRetention,
      timeout: Duration.seconds(props.temporalTimeoutSeconds + PUBLISH_ALLOWANCE_SECONDS),
      memorySize: 256,
    });
    props.temporal.lambdaSecret.grantRead(this.publisher.function);
    this.publisher.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': QUEUE_METRICS_NAMESPACE } },
      }),
    );
    acknowledge(this.publisher.function.role ?? this.publisher, 'putMetricData');
    new Rule(this, 'EveryMinute', {
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.publisher.function, { retryAttempts: 0 })],
    });
  }

  /** Sagas parked for an operator (the most seen in each minute). */
  parkedSagas(): Metric {
    return new Metric({
      namespace: QUEUE_METRICS_NAMESPACE,
      metricName: PARKED_SAGAS_METRIC.name,
      dimensionsMap: taskQueueDimensions(TASK_QUEUE),
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
  }

  /** One of the published queue metrics of `queueType` tasks, per minute. */
  metric(name: QueueMetric, queueType: QueueType, statistic = 'Maximum'): Metric {
    return new Metric({
      namespace: QUEUE_METRICS_NAMESPACE,
      metricName: QUEUE_METRICS[name].name,
      dimensionsMap: queueDimensions(TASK_QUEUE, queueType),
      statistic,
      period: Duration.minutes(1),
    });
  }
}
