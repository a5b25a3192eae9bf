import { CustomResource, Duration } from 'aws-cdk-lib';
import { FargateService } from 'aws-cdk-lib/aws-ecs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { TASK_QUEUE } from '../../common/workflow-safe/names';
import { type DeploymentConfig, DeploymentConfigError } from '../config';
import type { SagaNetwork } from './network';
import { NodeFunction } from './node-function';
import type { TemporalAccess } from './temporal-access';
import type { WorkerService } from './worker-service';

export interface WorkerVersionsProps {
  readonly config: DeploymentConfig;
  readonly temporal: TemporalAccess;
  readonly network: SagaNetwork;
  readonly worker: WorkerService;
  readonly logRetention: RetentionDays;
  /** Promote only after these too are in place (the service's scaling). */
  readonly promoteAfter?: readonly IDependable[];
}

/** How long the promotion waits for steady new tasks to show as pollers. */
const POLLER_WAIT_SECONDS = 120;

/**
 * Versioned deploys of the worker (ADR 0012), in CloudFormation's order:
 * 1. `Check`: refuse the deploy, before anything changes, if it would leave a version that
 *    is current or still has sagas without workers;
 * 2. the draining versions' services (`worker.versioning.drainingBuildIds`), then the
 *    worker service rolling to the new version (circuit breaker: unhealthy tasks roll back
 *    and fail the deploy, and nothing was promoted);
 * 3. `Promote`: once everything else is in place and steady, make the new version current,
 *    so new sagas start on it while pinned ones finish where they started.
 */
export class WorkerVersions extends Construct {
  readonly draining: FargateService[];

  constructor(scope: Construct, id: string, props: WorkerVersionsProps) {
    super(scope, id);
    const { worker, temporal } = props;
    const versioning = props.config.workerOps.versioning;
    if (versioning.drainingBuildIds.includes(worker.buildId)) {
      throw new DeploymentConfigError(
        `worker.versioning.drainingBuildIds lists ${worker.buildId}, the version being deployed`,
      );
    }
    const fn = new NodeFunction(this, 'Function', {
      entry: 'functions/versions/handler.ts',
      environment: temporal.lambdaEnvironment(),
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
      memorySize: 256,
    });
    temporal.lambdaSecret.grantRead(fn.function);
    const resource = (id: string, action: 'check' | 'promote', extra: Record<string, string>) =>
      new CustomResource(this, id, {
        serviceToken: fn.function.functionArn,
        resourceType: 'Custom::WorkerVersion',
        properties: {
          Action: action,
          DeploymentName: versioning.deploymentName,
          BuildId: worker.buildId,
          KeepBuildIds: versioning.drainingBuildIds,
          TaskQueue: TASK_QUEUE,
          ...extra,
        },
      });
    const check = resource('Check', 'check', {});
    this.draining = versioning.drainingBuildIds.map((buildId) =>
      this.drainingService(props, buildId, versioning.drainingTasks),
    );
    for (const service of this.draining) service.node.addDependency(check);
    worker.service.node.addDependency(check, ...this.draining);
    const promote = resource('Promote', 'promote', {
      WaitForPollersSeconds: String(POLLER_WAIT_SECONDS),
    });
    promote.node.addDependency(worker, ...this.draining, ...(props.promoteAfter ?? []));
  }

  /** An earlier version's workers, kept for its pinned sagas; not scaled, not promoted. */
  private drainingService(props: WorkerVersionsProps, buildId: string, tasks: number) {
    const scope = new Construct(this, `Draining${buildId.slice(0, 12)}`);
    return new FargateService(scope, 'Service', {
      cluster: props.worker.cluster,
      taskDefinition: props.worker.earlierVersionTask(scope, 'Task', buildId),
      desiredCount: tasks,
      vpcSubnets: props.network.workerSubnets,
      assignPublicIp: props.network.assignPublicIp,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
  }
}
