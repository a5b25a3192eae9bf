import type { DockerImageAsset } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  type ContainerDefinition,
  ContainerImage,
  ContainerInsights,
  FargateService,
  type FargateTaskDefinition,
} from 'aws-cdk-lib/aws-ecs';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import type { SagaNetwork } from './network';
import type { TemporalAccess } from './temporal-access';
import { workerImageAsset } from './worker-image';
import { type WorkerTaskProps, workerTaskDefinition } from './worker-task';

export interface WorkerServiceProps {
  readonly config: DeploymentConfig;
  readonly temporal: TemporalAccess;
  readonly network: SagaNetwork;
  readonly logRetention: RetentionDays;
}

/**
 * The worker on ECS Fargate (arm64): long-running, drained on deploys (stopTimeout
 * exceeds the worker's shutdown grace), rolled back by the circuit breaker when new tasks
 * fail their health check; scaled by WorkerScaling (worker-scaling.ts). It runs the
 * version built from this checkout; its image hash is that version's build id.
 */
export class WorkerService extends Construct {
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly container: ContainerDefinition;
  /** The worker image built from this checkout. */
  readonly image: DockerImageAsset;
  /** The Worker Deployment build id of this service's version: the image hash (ADR 0012). */
  readonly buildId: string;
  private readonly taskProps: Omit<WorkerTaskProps, 'image' | 'buildId'>;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { config, temporal, network } = props;
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    this.image = workerImageAsset(this, 'Image');
    this.buildId = this.image.assetHash;
    const logGroup: ILogGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // The SDK's metrics, via the ADOT sidecar, as EMF into their own log group (ADR 0010).
    const sdkMetricsLogGroup = new LogGroup(this, 'SdkMetrics', { retention: props.logRetention });
    this.taskProps = { config, temporal, logGroup, sdkMetricsLogGroup };
    const { task, container } = workerTaskDefinition(this, 'Task', {
      ...this.taskProps,
      image: ContainerImage.fromDockerImageAsset(this.image),
      buildId: this.buildId,
    });
    this.container = container;
    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: task,
      // No desiredCount: set here, every deploy would put the count back to minTasks and
      // cut a scaled-out service (six tasks under load) to two. Autoscaling owns the count
      // (minCapacity is minTasks); a first create starts one task and scales up at once.
      vpcSubnets: network.workerSubnets,
      assignPublicIp: network.assignPublicIp,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
  }

  /**
   * A task definition of an earlier version, from its image in the CDK asset repository
   * (tagged with its hash, which is its build id), with this version's settings.
   */
  earlierVersionTask(scope: Construct, id: string, buildId: string): FargateTaskDefinition {
    const image = ContainerImage.fromEcrRepository(this.image.repository, buildId);
    return workerTaskDefinition(scope, id, { ...this.taskProps, image, buildId }).task;
  }
}
