import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config';
import { BacklogMetric } from './constructs/backlog-metric';
import { SagaNetwork } from './constructs/network';
import { TemporalAccess } from './constructs/temporal-access';
import { WorkerService } from './constructs/worker-service';
import { WorkerVersions } from './constructs/worker-versions';
import { retention } from './retention';

export interface WorkerStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** The Temporal worker on ECS Fargate, its network, and the backlog metric it scales on. */
export class WorkerStack extends Stack {
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;

  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = retention(config);
    const temporal = new TemporalAccess(this, 'Temporal', config.temporal);
    const network = new SagaNetwork(this, 'Network', { network: config.network, logRetention });
    this.backlog = new BacklogMetric(this, 'Backlog', { temporal, logRetention });
    this.worker = new WorkerService(this, 'Worker', {
      config,
      temporal,
      network,
      logRetention,
      backlogMetric: this.backlog.metric('ApproximateBacklogCount', 'activity'),
    });
    new WorkerVersions(this, 'Versions', {
      config,
      temporal,
      network,
      logRetention,
      worker: this.worker,
    });
  }
}
