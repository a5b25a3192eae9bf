import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { QUEUE_METRICS, QUEUE_METRICS_NAMESPACE, QUEUE_TYPES } from '../common/queue-metrics';
import { TASK_QUEUE } from '../common/workflow-safe/names';
import { publication } from '../functions/backlog/handler';
import { devEnvironment, synthApp } from './support/synth';

/** What on-call gets paged for, and how the worker scales: the templates' contract. */
const saga = synthApp({}, { bundle: false });
const worker = Template.fromStack(saga.worker);
const monitoring = Template.fromStack(saga.monitoring);

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, read by tests only.
type Props = Record<string, any>;
const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')).map(
  (a) => a.Properties as Props,
);
const alarmAbout = (text: string): Props => {
  const found = alarms.filter((a) => a.AlarmDescription.includes(text));
  expect(found, text).toHaveLength(1);
  return found[0] as Props;
};
/** The plain metrics an alarm reads, directly or inside its metric math. */
const metricsOf = (alarm: Props) =>
  alarm.MetricName
    ? [
        {
          namespace: alarm.Namespace,
          name: alarm.MetricName,
          stat: alarm.Statistic,
          dims: alarm.Dimensions,
        },
      ]
    : (alarm.Metrics as Props[])
        .filter((m) => m.MetricStat)
        .map((m) => ({
          namespace: m.MetricStat.Metric.Namespace,
          name: m.MetricStat.Metric.MetricName,
          stat: m.MetricStat.Stat,
          dims: m.MetricStat.Metric.Dimensions,
        }));
/** CDK renders dimensions sorted by name. */
const queueDims = (queueType: string) => [
  { Name: 'QueueType', Value: queueType },
  { Name: 'TaskQueue', Value: TASK_QUEUE },
];

describe('CDK app: alarms', () => {
  it('pages when no worker polls the workflow or the activity task queue', () => {
    for (const queue of ['workflow', 'activity']) {
      const alarm = alarmAbout(`no worker polls the ${queue} task queue`);
      expect(alarm).toMatchObject({
        MetricName: QUEUE_METRICS.pollers.name,
        Namespace: QUEUE_METRICS_NAMESPACE,
        Dimensions: queueDims(queue),
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
      });
    }
  });

  it('pages when workflow tasks, or activity tasks, wait for a worker', () => {
    expect(alarmAbout('workflow tasks wait over 60 s')).toMatchObject({
      MetricName: QUEUE_METRICS.backlogAge.name,
      Dimensions: queueDims('workflow'),
      Threshold: 60,
    });
    expect(alarmAbout('activity tasks wait over 5 minutes')).toMatchObject({
      Dimensions: queueDims('activity'),
      Threshold: 300,
    });
  });

  it('pages when the backlog publisher goes silent: its missing data breaches', () => {
    expect(alarmAbout('backlog publisher published nothing')).toMatchObject({
      MetricName: QUEUE_METRICS.pollers.name,
      Statistic: 'SampleCount',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('counts running worker tasks with Minimum, and treats no task data as breaching', () => {
    const alarm = alarmAbout('fewer worker tasks run than desired');
    expect(alarm.TreatMissingData).toBe('breaching');
    const stats = Object.fromEntries(metricsOf(alarm).map((m) => [m.name, m.stat]));
    expect(stats).toEqual({ RunningTaskCount: 'Minimum', DesiredTaskCount: 'Maximum' });
    expect(alarm.Metrics.find((m: Props) => m.Expression)?.Expression).toBe(
      'desired - FILL(running, 0)',
    );
  });

  it('pages on error rates sustained over minutes, never on one error in a minute', () => {
    const errorAlarms = alarms.filter((a) => /5xx|failed over/.test(a.AlarmDescription));
    // API 5xx, and each function: trigger, completion, health, deep health, publisher.
    expect(errorAlarms).toHaveLength(6);
    for (const alarm of errorAlarms) {
      expect(alarm).toMatchObject({ Threshold: 5, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
      const expression = alarm.Metrics.find((m: Props) => m.Expression)?.Expression;
      expect(expression).toBe('IF(whole > 0, 100 * FILL(part, 0) / whole, 0)');
    }
  });

  it('evaluates every alarm per minute, so "3 of 5 minutes" means minutes', () => {
    for (const alarm of alarms) {
      const periods = alarm.Metrics
        ? (alarm.Metrics as Props[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Period)
        : [alarm.Period];
      expect({ alarm: alarm.AlarmDescription, periods: new Set(periods) }).toEqual({
        alarm: alarm.AlarmDescription,
        periods: new Set([60]),
      });
    }
  });

  it('pages as soon as one saga waits for an operator (ParkedSagas)', () => {
    const alarm = alarmAbout('ParkedSagas');
    expect(alarm).toMatchObject({
      MetricName: 'ParkedSagas',
      Namespace: 'CompleteOrderSaga',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('sends every alarm to the alarm topic', () => {
    const [topic] = Object.keys(monitoring.findResources('AWS::SNS::Topic'));
    expect(alarms).toHaveLength(17);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
  });
});

describe('CDK app: worker scaling', () => {
  const policies = Object.values(
    worker.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
  ).map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration as Props);

  it('tracks the activity backlog per running task (metric math), at the configured target', () => {
    const perTask = policies.find((p) => p.CustomizedMetricSpecification?.Metrics);
    expect(perTask?.TargetValue).toBe(devEnvironment.worker.targetBacklogPerTask);
    const queries = perTask?.CustomizedMetricSpecification.Metrics as Props[];
    const byId = Object.fromEntries(queries.map((q) => [q.Id, q]));
    expect(byId.perTask).toMatchObject({ Expression: 'backlog / running', ReturnData: true });
    expect(byId.backlog?.MetricStat.Metric).toMatchObject({
      Namespace: QUEUE_METRICS_NAMESPACE,
      MetricName: QUEUE_METRICS.backlogCount.name,
      Dimensions: queueDims('activity'),
    });
    expect(byId.running?.MetricStat.Metric).toMatchObject({
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
    });
  });

  it('never tracks the total backlog', () => {
    const single = policies.map((p) => p.CustomizedMetricSpecification?.MetricName);
    expect(single).not.toContain(QUEUE_METRICS.backlogCount.name);
  });

  it('alarms and scales only on metrics that the backlog publisher writes, as it names them', () => {
    const samples = QUEUE_TYPES.map((queueType) => ({
      queueType,
      count: 0,
      ageSeconds: 0,
      pollers: 0,
    }));
    const written = publication(samples, 0, TASK_QUEUE, new Date());
    const key = (namespace: string, name: string, dims: Array<{ Name: string; Value: unknown }>) =>
      JSON.stringify([namespace, name, [...dims].sort((a, b) => a.Name.localeCompare(b.Name))]);
    const writes = new Set(
      written.MetricData.map((d) => key(written.Namespace, d.MetricName, d.Dimensions)),
    );
    const names = new Set(written.MetricData.map((d) => d.MetricName));
    const scaling = policies.flatMap((p) =>
      ((p.CustomizedMetricSpecification?.Metrics ?? []) as Props[])
        .filter((m) => m.MetricStat)
        .map((m) => ({
          namespace: m.MetricStat.Metric.Namespace,
          name: m.MetricStat.Metric.MetricName,
          dims: (m.MetricStat.Metric.Dimensions as Props[]).map((d) => ({
            Name: d.Name,
            Value: d.Value,
          })),
        })),
    );
    const read = [...alarms.flatMap(metricsOf), ...scaling].filter(
      (m) => m.namespace === written.Namespace || names.has(m.name),
    );
    // No-pollers (2), backlog age (2), parked, silence, and the backlog per task.
    expect(read.length).toBeGreaterThanOrEqual(7);
    for (const m of read) expect(writes).toContain(key(m.namespace, m.name, m.dims ?? []));
  });

  it('lets the publisher write only the namespace the alarms and scaling read', () => {
    const policy = JSON.stringify(worker.findResources('AWS::IAM::Policy'));
    expect(policy).toContain(`"cloudwatch:namespace":"${QUEUE_METRICS_NAMESPACE}"`);
  });
});
