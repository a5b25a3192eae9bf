import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../lib/config';
import { collectorConfig, METRICS_OTLP_URL } from '../lib/constructs/metrics-sidecar';
import { DIMENSION_SETS, SDK_METRICS_NAMESPACE, SdkMetric } from '../lib/sdk-metrics';
import { containers, devEnvironment, envOf, synth } from './support/synth';

const { worker, monitoring } = synth();
const [workerContainer] = containers(worker).filter((c) => c.Name === 'worker');
const [sidecar] = containers(worker).filter((c) => c.Name === 'metrics');

interface AlarmJson {
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmDescription: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
}

const sdkAlarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'))
  .map((a) => a.Properties as AlarmJson)
  .filter((a) => a.Namespace === SDK_METRICS_NAMESPACE);

/** The sidecar's configuration as deployed (the log group's name is a reference). */
function deployedCollectorConfig(): ReturnType<typeof collectorConfig> {
  return JSON.parse(envOf(sidecar, 'AOT_CONFIG_CONTENT') ?? '{}');
}

describe('CDK: worker SDK metrics to CloudWatch', () => {
  it('runs the ADOT collector beside the worker without making the worker depend on it', () => {
    expect(sidecar?.Essential).toBe(false);
    expect(sidecar?.RestartPolicy?.Enabled).toBe(true);
    expect(envOf(workerContainer, 'METRICS_OTLP_URL')).toBe(METRICS_OTLP_URL);
    const receiver = deployedCollectorConfig().receivers as {
      otlp: { protocols: { http: { endpoint: string } } };
    };
    expect(METRICS_OTLP_URL).toBe(`http://${receiver.otlp.protocols.http.endpoint}/v1/metrics`);
    expect(deployedCollectorConfig()).toEqual(collectorConfig('<ref>'));
  });

  it('publishes every alarmed metric under the dimensions its alarm reads', () => {
    expect(sdkAlarms.length).toBeGreaterThanOrEqual(4);
    for (const alarm of sdkAlarms) {
      const keys = (alarm.Dimensions ?? []).map((d) => d.Name).sort();
      const published = DIMENSION_SETS.some(
        (set) =>
          set.metrics.includes(alarm.MetricName as SdkMetric) &&
          set.dimensions.some((dims) => [...dims].sort().join() === keys.join()),
      );
      expect(published, `${alarm.MetricName} by ${keys}`).toBe(true);
      expect(alarm.Dimensions).toContainEqual({
        Name: 'task_queue',
        Value: 'complete-order-queue',
      });
    }
  });

  it('alarms on any workflow-task failure, on waiting tasks, and on missing metrics', () => {
    const byName = (name: string) => sdkAlarms.filter((a) => a.MetricName === name);
    expect(byName(SdkMetric.workflowTaskFailed)).toMatchObject([
      { Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' },
    ]);
    expect(byName(SdkMetric.workflowTaskScheduleToStart)).toMatchObject([{ Statistic: 'Average' }]);
    expect(byName(SdkMetric.activityScheduleToStart)).toMatchObject([{ Statistic: 'Average' }]);
    expect(byName(SdkMetric.slotsAvailable)).toMatchObject([
      { ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' },
    ]);
  });

  it('puts the SDK metrics on the dashboard', () => {
    const [dashboard] = Object.values(monitoring.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const name of Object.values(SdkMetric)) expect(body).toContain(name);
  });

  it('names a collector image that is not pinned at synth', () => {
    const worker = {
      ...(devEnvironment.worker as object),
      metrics: { collectorImage: 'otel:latest' },
    };
    expect(() => loadDeploymentConfig({ dev: { ...devEnvironment, worker } }, 'dev')).toThrow(
      'environments.dev.worker.metrics.collectorImage must be a pinned image',
    );
  });
});
