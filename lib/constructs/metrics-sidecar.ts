import { Duration } from 'aws-cdk-lib';
import { ContainerImage, type FargateTaskDefinition, LogDrivers } from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { DIMENSION_SETS, SDK_METRICS_NAMESPACE } from '../sdk-metrics';

/** Where the worker pushes its metrics: the sidecar's OTLP/HTTP receiver, in the task. */
export const METRICS_OTLP_URL = 'http://127.0.0.1:4318/v1/metrics';
/** How often the worker exports; CloudWatch's finest standard resolution is a minute. */
export const METRICS_EXPORT_INTERVAL_MS = 60_000;

export interface MetricsSidecarProps {
  /** The ADOT collector image (pinned, from config). */
  readonly image: string;
  /** Log group of the EMF records (its retention applies to them). */
  readonly logGroup: ILogGroup;
  /** Container logs of the collector itself go to this group, prefix `metrics`. */
  readonly containerLogs: ILogGroup;
}

/** `^name$` selectors: the EMF exporter matches metric names by regular expression. */
function exactly(names: readonly string[]): string[] {
  return names.map((name) => `^${name}$`);
}

/**
 * The collector's configuration (passed as AOT_CONFIG_CONTENT; JSON is YAML): OTLP/HTTP on
 * loopback only, the ECS task id as log stream, and EMF records whose dimensions come
 * from {@link DIMENSION_SETS}. The worker exports deltas, so nothing is converted.
 */
export function collectorConfig(logGroupName: string): Record<string, unknown> {
  return {
    extensions: { health_check: {} },
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:4318' } } } },
    processors: {
      resourcedetection: { detectors: ['env', 'ecs'], timeout: '5s', override: false },
      batch: { timeout: '10s' },
    },
    exporters: {
      awsemf: {
        namespace: SDK_METRICS_NAMESPACE,
        log_group_name: logGroupName,
        log_stream_name: 'worker/{TaskId}',
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: DIMENSION_SETS.map((set) => ({
          dimensions: set.dimensions,
          metric_name_selectors: exactly(set.metrics),
        })),
      },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        metrics: {
          receivers: ['otlp'],
          processors: ['resourcedetection', 'batch'],
          exporters: ['awsemf'],
        },
      },
    },
  };
}

/**
 * Adds the ADOT collector to a worker task. Not essential: when it fails the worker keeps
 * paying runners (ECS restarts the collector; the "worker metrics missing" alarm says so).
 */
export function addMetricsSidecar(task: FargateTaskDefinition, props: MetricsSidecarProps): void {
  task.addContainer('metrics', {
    image: ContainerImage.fromRegistry(props.image),
    essential: false,
    enableRestartPolicy: true,
    memoryLimitMiB: 256,
    environment: {
      AOT_CONFIG_CONTENT: JSON.stringify(collectorConfig(props.logGroup.logGroupName)),
    },
    logging: LogDrivers.awsLogs({ streamPrefix: 'metrics', logGroup: props.containerLogs }),
    healthCheck: {
      command: ['CMD', '/healthcheck'],
      interval: Duration.seconds(30),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    },
    readonlyRootFilesystem: true,
  });
  props.logGroup.grantWrite(task.taskRole);
  task.taskRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:DescribeLogStreams'],
      resources: [props.logGroup.logGroupArn],
    }),
  );
}
