import { Duration } from 'aws-cdk-lib';
import {
  type ContainerDefinition,
  type ContainerImage,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  WORKER_HEALTH_PATH,
  WORKER_HEALTH_PORT,
  WORKER_HEALTH_PORT_VAR,
} from '../../common/worker-health';
import { SecretKind } from '../../functions/temporal/credential';
import type { DeploymentConfig } from '../config';
import { acknowledge } from '../nag-suppressions';
import { addMetricsSidecar, METRICS_EXPORT_INTERVAL_MS, METRICS_OTLP_URL } from './metrics-sidecar';
import type { TemporalAccess } from './temporal-access';

/** Time the worker needs beyond the activities' grace to close its connection and exit. */
const EXIT_MARGIN_SECONDS = 15;

export interface WorkerTaskProps {
  readonly config: DeploymentConfig;
  readonly temporal: TemporalAccess;
  readonly image: ContainerImage;
  /** The Worker Deployment version this task's worker polls as (ADR 0012). */
  readonly buildId: string;
  /** The worker's (and the sidecar's) container logs. */
  readonly logGroup: ILogGroup;
  /** Where the sidecar writes the SDK metrics as EMF (ADR 0010). */
  readonly sdkMetricsLogGroup: ILogGroup;
}

/** The Temporal credential as ECS secrets: injected at start, never in the template. */
function credentialSecrets(temporal: TemporalAccess): Record<string, EcsSecret> {
  if (temporal.authKind === SecretKind.apiKey)
    return { TEMPORAL_API_KEY: EcsSecret.fromSecretsManager(temporal.secret) };
  return {
    TEMPORAL_TLS_CLIENT_CERT_DATA: EcsSecret.fromSecretsManager(temporal.secret, 'cert'),
    TEMPORAL_TLS_CLIENT_KEY_DATA: EcsSecret.fromSecretsManager(temporal.secret, 'key'),
  };
}

/**
 * One worker task (arm64) of one version: the worker container, drained on stop
 * (stopTimeout exceeds its shutdown grace), healthy while it polls, and its metrics
 * sidecar. The current version's service and every draining version's use it.
 */
export function workerTaskDefinition(
  scope: Construct,
  id: string,
  props: WorkerTaskProps,
): { task: FargateTaskDefinition; container: ContainerDefinition } {
  const { config, temporal } = props;
  const sizing = config.worker;
  const task = new FargateTaskDefinition(scope, id, {
    cpu: sizing.cpu,
    memoryLimitMiB: sizing.memoryMiB,
    runtimePlatform: {
      cpuArchitecture: CpuArchitecture.ARM64,
      operatingSystemFamily: OperatingSystemFamily.LINUX,
    },
  });
  const container = task.addContainer('worker', {
    image: props.image,
    // An init as PID 1 (the image has none): forwards SIGTERM, reaps stray children.
    linuxParameters: new LinuxParameters(task, 'Linux', { initProcessEnabled: true }),
    logging: LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup: props.logGroup }),
    environment: {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      ORDER_SERVICE_URL: config.services.orderUrl,
      USER_SERVICE_URL: config.services.userUrl,
      PAYMENT_SERVICE_URL: config.services.paymentUrl,
      SHUTDOWN_GRACE_MS: String(sizing.shutdownGraceSeconds * 1000),
      [WORKER_HEALTH_PORT_VAR]: String(WORKER_HEALTH_PORT),
      LOG_LEVEL: 'INFO',
      // Half the task for V8's heap: GC works before the task nears its limit (docs/performance.md).
      NODE_OPTIONS: `--max-old-space-size=${Math.floor(sizing.memoryMiB / 2)}`,
      METRICS_OTLP_URL,
      METRICS_EXPORT_INTERVAL_MS: String(METRICS_EXPORT_INTERVAL_MS),
      TEMPORAL_WORKER_DEPLOYMENT_NAME: config.workerOps.versioning.deploymentName,
      TEMPORAL_WORKER_BUILD_ID: props.buildId,
    },
    secrets: credentialSecrets(temporal),
    healthCheck: {
      command: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${WORKER_HEALTH_PORT}${WORKER_HEALTH_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
      ],
      interval: Duration.seconds(30),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(60),
    },
    stopTimeout: Duration.seconds(sizing.shutdownGraceSeconds + EXIT_MARGIN_SECONDS),
    readonlyRootFilesystem: true,
  });
  addMetricsSidecar(task, {
    image: config.workerOps.metricsCollectorImage,
    logGroup: props.sdkMetricsLogGroup,
    containerLogs: props.logGroup,
  });
  acknowledge(task, 'workerPlainSettings');
  if (task.executionRole) acknowledge(task.executionRole, 'ecsExecutionRole');
  return { task, container };
}
