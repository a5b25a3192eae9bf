import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { BacklogMetric } from './constructs/backlog-metric';
import { Observability } from './constructs/observability';
import type { SagaApi } from './constructs/saga-api';
import { WorkerMetrics } from './constructs/worker-metrics';
import type { WorkerService } from './constructs/worker-service';

export interface MonitoringStackProps extends StackProps {
  readonly api: SagaApi;
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;
  readonly alarmEmail?: string;
}

/** The dashboard and alarms over both other stacks. */
export class MonitoringStack extends Stack {
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.observability = new Observability(this, 'Observability', props);
    const { dashboard, topic } = this.observability;
    new WorkerMetrics(this, 'WorkerMetrics', { dashboard, topic });
  }
}
