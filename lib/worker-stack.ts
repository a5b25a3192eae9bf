import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config';
import { BacklogMetric } from './constructs/backlog-metric';
import { SagaNetwork } from './constructs/network';
import { TemporalAccess } from './constructs/temporal-access';
import { WorkerScaling } from './constructs/worker-scaling';
import { WorkerService } from './constructs/worker-service';
import { WorkerVersions } from './constructs/worker-versions';
import { retention } from './retention';

export interface WorkerStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** The Temporal worker on ECS Fargate, its network, its scaling and the queue metrics it scales on. */
export class WorkerStack extends Stack {
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;

  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = retention(config);
    const temporal = new TemporalAccess(this, 'Temporal', config);
    const network = new SagaNetwork(this, 'Network', { network: config.network, logRetention });
    this.backlog = new BacklogMetric(this, 'Backlog', {
      temporal,
      logRetention,
      temporalTimeoutSeconds: config.lambda.timeoutSeconds,
    });
    this.worker = new WorkerService(this, 'Worker', { config, temporal, network, logRetention });
    const scaling = new WorkerScaling(this, 'Scaling', {
      service: this.worker.service,
      sizing: config.worker,
      backlog: this.backlog,
    });
    new WorkerVersions(this, 'Versions', {
      config,
      temporal,
      network,
      logRetention,
      worker: this.worker,
      promoteAfter: [scaling],
    });
  }
}
