import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TASK_QUEUE } from '../../common/names';
import { acknowledge } from '../nag-suppressions';
import { NodeFunction } from './node-function';
import type { TemporalAccess } from './temporal-access';

/** Must match functions/backlog/handler.ts. */
const NAMESPACE = 'CompleteOrderSaga';

export interface BacklogMetricProps {
  readonly temporal: TemporalAccess;
  readonly logRetention: RetentionDays;
}

/**
 * Temporal's approximate backlog of the saga's task queue, published every minute as
 * CloudWatch metrics by a small scheduled function: what the worker scales on and what
 * the "backlog age growing" alarm watches.
 */
export class BacklogMetric extends Construct {
  readonly publisher: NodeFunction;

  constructor(scope: Construct, id: string, props: BacklogMetricProps) {
    super(scope, id);
    this.publisher = new NodeFunction(this, 'Publisher', {
      entry: 'functions/backlog/handler.ts',
      environment: { ...props.temporal.lambdaEnvironment(), TEMPORAL_TASK_QUEUE: TASK_QUEUE },
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    props.temporal.lambdaSecret.grantRead(this.publisher.function);
    this.publisher.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': NAMESPACE } },
      }),
    );
    acknowledge(this.publisher.function.role ?? this.publisher, 'putMetricData');
    new Rule(this, 'EveryMinute', {
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.publisher.function, { retryAttempts: 0 })],
    });
  }

  /** Backlog of `queueType` tasks: `ApproximateBacklogCount` or `ApproximateBacklogAge` (s). */
  metric(
    name: 'ApproximateBacklogCount' | 'ApproximateBacklogAge',
    queueType: 'workflow' | 'activity',
  ): Metric {
    return new Metric({
      namespace: NAMESPACE,
      metricName: name,
      dimensionsMap: { TaskQueue: TASK_QUEUE, QueueType: queueType },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
  }
}
