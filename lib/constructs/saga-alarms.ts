import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PARKED_SAGAS_METRIC, QUEUE_TYPES } from '../../common/queue-metrics';
import type { BacklogMetric } from './backlog-metric';
import { containerInsightsMetric } from './container-insights';
import type { NodeFunction } from './node-function';
import type { SagaApi } from './saga-api';
import type { WorkerService } from './worker-service';

export interface SagaAlarmsProps {
  readonly api: SagaApi;
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;
  readonly topic: ITopic;
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  description: string;
  /** Breaching minutes out of `periods` (@default all of them). */
  datapoints?: number;
  periods: number;
  below?: boolean;
  missing?: TreatMissingData;
}

const MINUTE = Duration.minutes(1);

/** Error rates page when sustained: 5% of requests in 3 of 5 minutes, not one error. */
const RATE = { threshold: 5, datapoints: 3, periods: 5 };

/**
 * The alarms, each notifying the topic. They page on what stops payouts: errors sustained
 * at a rate, no worker polling either task queue, workflow or activity tasks left waiting,
 * fewer worker tasks than wanted, a saga parked for an operator, and the queue metrics
 * themselves going silent.
 */
export class SagaAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SagaAlarmsProps) {
    super(scope, id);
    const { api, worker, backlog, topic } = props;
    this.add(topic, 'Api5xxRate', {
      metric: rate(api.httpApi.metricServerError(), api.httpApi.metricCount(), 'API 5xx %'),
      ...RATE,
      description: 'API answered 5xx to over 5% of requests in 3 of 5 minutes',
    });
    for (const f of [...Object.values(api.functions), backlog.publisher])
      this.functionErrors(topic, f);
    const running = containerInsightsMetric('RunningTaskCount', worker.service, 'Minimum');
    const desired = containerInsightsMetric('DesiredTaskCount', worker.service, 'Maximum');
    this.add(topic, 'WorkerTasksBelowDesired', {
      // No task data at all (service gone, Container Insights off) is as bad as no tasks.
      metric: new MathExpression({
        expression: 'desired - FILL(running, 0)',
        usingMetrics: { desired, running },
        label: 'worker tasks missing',
        period: MINUTE,
      }),
      threshold: 1,
      periods: 5,
      missing: TreatMissingData.BREACHING,
      description: 'fewer worker tasks run than desired for 5 minutes',
    });
    for (const queue of QUEUE_TYPES) {
      this.add(topic, `No${capitalized(queue)}Pollers`, {
        metric: backlog.metric('pollers', queue),
        threshold: 1,
        below: true,
        periods: 3,
        description: `no worker polls the ${queue} task queue (3 minutes): sagas do not advance`,
      });
    }
    this.add(topic, 'WorkflowBacklogAge', {
      metric: backlog.metric('backlogAge', 'workflow'),
      threshold: 60,
      periods: 3,
      description: 'workflow tasks wait over 60 s for a worker, for 3 minutes',
    });
    this.add(topic, 'ActivityBacklogAge', {
      metric: backlog.metric('backlogAge', 'activity'),
      threshold: 300,
      periods: 5,
      description: 'activity tasks wait over 5 minutes for a worker, for 5 minutes',
    });
    this.add(topic, 'ParkedSagas', {
      metric: backlog.parkedSagas(),
      threshold: 1,
      periods: 1,
      description: `${PARKED_SAGAS_METRIC.name}: a saga waits for an operator: money state unknown (docs/runbook.md, npm run ops -- list)`,
    });
    this.add(topic, 'QueueMetricsSilent', {
      metric: backlog.metric('pollers', 'workflow', 'SampleCount'),
      threshold: 1,
      below: true,
      periods: 5,
      missing: TreatMissingData.BREACHING,
      description: 'the backlog publisher published nothing for 5 minutes: queue alarms are blind',
    });
  }

  private functionErrors(topic: ITopic, f: NodeFunction) {
    const fn = f.function;
    this.add(topic, `${f.node.id}ErrorRate`, {
      metric: rate(fn.metricErrors(), fn.metricInvocations(), `${f.node.id} errors %`),
      ...RATE,
      description: `Lambda ${f.node.id} failed over 5% of invocations in 3 of 5 minutes`,
    });
  }

  private add(topic: ITopic, id: string, spec: AlarmSpec) {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.periods,
      datapointsToAlarm: spec.datapoints ?? spec.periods,
      comparisonOperator: spec.below
        ? ComparisonOperator.LESS_THAN_THRESHOLD
        : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.missing ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: `complete-order-saga: ${spec.description}`,
    });
    alarm.addAlarmAction(new SnsAction(topic));
    this.alarms.push(alarm);
  }
}

/** `part` as a percentage of `whole` per minute; 0 when nothing happened. */
function rate(part: Metric, whole: Metric, label: string): MathExpression {
  return new MathExpression({
    expression: 'IF(whole > 0, 100 * FILL(part, 0) / whole, 0)',
    usingMetrics: {
      part: part.with({ statistic: 'Sum', period: MINUTE }),
      whole: whole.with({ statistic: 'Sum', period: MINUTE }),
    },
    label,
    // MathExpression defaults to 5 minutes, which would stretch "3 of 5 minutes" fivefold.
    period: MINUTE,
  });
}

function capitalized(word: string): string {
  return `${word[0]?.toUpperCase()}${word.slice(1)}`;
}
