import { Duration } from 'aws-cdk-lib';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  Cluster,
  type ContainerDefinition,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { acknowledge } from '../nag-suppressions';
import { addMetricsSidecar, METRICS_EXPORT_INTERVAL_MS, METRICS_OTLP_URL } from './metrics-sidecar';
import type { SagaNetwork } from './network';
import type { TemporalAccess } from './temporal-access';
import { workerImageAsset } from './worker-image';

const HEALTH_PORT = 8080;
/** Time the worker needs beyond the activities' grace to close its connection and exit. */
const EXIT_MARGIN_SECONDS = 15;

export interface WorkerServiceProps {
  readonly config: DeploymentConfig;
  readonly temporal: TemporalAccess;
  readonly network: SagaNetwork;
  readonly logRetention: RetentionDays;
  /** Scale out on this backlog metric too (Temporal's approximate backlog count). */
  readonly backlogMetric: IMetric;
}

/**
 * The worker on ECS Fargate (arm64): long-running, drained on deploys (stopTimeout
 * exceeds the worker's shutdown grace), rolled back by the circuit breaker when new tasks
 * fail their health check, scaled on CPU and on the task queue backlog.
 */
export class WorkerService extends Construct {
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly container: ContainerDefinition;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { config, temporal, network } = props;
    const sizing = config.worker;
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: sizing.cpu,
      memoryLimitMiB: sizing.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.container = task.addContainer('worker', {
      image: ContainerImage.fromDockerImageAsset(workerImageAsset(this, 'Image')),
      // An init as PID 1 (the image has none): forwards SIGTERM, reaps stray children.
      linuxParameters: new LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      logging: LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup }),
      environment: {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        ORDER_SERVICE_URL: config.services.orderUrl,
        USER_SERVICE_URL: config.services.userUrl,
        PAYMENT_SERVICE_URL: config.services.paymentUrl,
        SHUTDOWN_GRACE_MS: String(sizing.shutdownGraceSeconds * 1000),
        HEALTH_PORT: String(HEALTH_PORT),
        LOG_LEVEL: 'INFO',
        // Half the task for V8's heap: GC works before the task nears its limit (docs/performance.md).
        NODE_OPTIONS: `--max-old-space-size=${Math.floor(sizing.memoryMiB / 2)}`,
        METRICS_OTLP_URL,
        METRICS_EXPORT_INTERVAL_MS: String(METRICS_EXPORT_INTERVAL_MS),
      },
      secrets: this.credentialSecrets(temporal),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${HEALTH_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      stopTimeout: Duration.seconds(sizing.shutdownGraceSeconds + EXIT_MARGIN_SECONDS),
      readonlyRootFilesystem: true,
    });
    // The SDK's metrics, via the ADOT sidecar, as EMF into their own log group (ADR 0010).
    addMetricsSidecar(task, {
      image: config.workerOps.metricsCollectorImage,
      logGroup: new LogGroup(this, 'SdkMetrics', { retention: props.logRetention }),
      containerLogs: logGroup,
    });
    acknowledge(task, 'workerPlainSettings');
    if (task.executionRole) acknowledge(task.executionRole, 'ecsExecutionRole');
    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: task,
      desiredCount: sizing.minTasks,
      vpcSubnets: network.workerSubnets,
      assignPublicIp: network.assignPublicIp,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: sizing.minTasks,
      maxCapacity: sizing.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleToTrackCustomMetric('Backlog', { metric: props.backlogMetric, targetValue: 100 });
  }

  /** The Temporal credential as ECS secrets: injected at start, never in the template. */
  private credentialSecrets(temporal: TemporalAccess): Record<string, EcsSecret> {
    if (temporal.authKind === 'apiKey')
      return { TEMPORAL_API_KEY: EcsSecret.fromSecretsManager(temporal.secret) };
    return {
      TEMPORAL_TLS_CLIENT_CERT_DATA: EcsSecret.fromSecretsManager(temporal.secret, 'cert'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: EcsSecret.fromSecretsManager(temporal.secret, 'key'),
    };
  }
}
