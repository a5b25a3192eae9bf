import { Dashboard, GraphWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';
import type { BacklogMetric } from './backlog-metric';
import { containerInsightsMetric } from './container-insights';
import { SagaAlarms } from './saga-alarms';
import type { SagaApi } from './saga-api';
import type { WorkerService } from './worker-service';

export interface ObservabilityProps {
  readonly api: SagaApi;
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;
  readonly alarmEmail?: string;
}

/**
 * What on-call looks at: one dashboard (API, Lambda, worker, task queues) and the alarms
 * (saga-alarms.ts), which notify an SNS topic (alarm-topic.ts).
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: SagaAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { api, worker, backlog } = props;
    this.topic = new AlarmTopic(this, 'AlarmTopic', {
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    }).topic;
    this.alarms = new SagaAlarms(this, 'Alarms', { api, worker, backlog, topic: this.topic });
    const functions = Object.values(api.functions).concat(backlog.publisher);
    const queues = ['workflow', 'activity'] as const;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `complete-order-saga-${scope.node.id}`,
    });
    this.dashboard.addWidgets(
      graph('API requests and errors', [
        api.httpApi.metricCount(),
        api.httpApi.metricClientError(),
        api.httpApi.metricServerError(),
      ]),
      graph('API latency p50/p99 (ms)', [
        api.httpApi.metricLatency({ statistic: 'p50' }),
        api.httpApi.metricLatency({ statistic: 'p99' }),
      ]),
      graph(
        'Lambda errors and throttles',
        functions.flatMap((f) => [f.function.metricErrors(), f.function.metricThrottles()]),
      ),
      graph(
        'Lambda duration p99 (ms)',
        functions.map((f) => f.function.metricDuration({ statistic: 'p99' })),
      ),
      graph('Worker CPU and memory (%)', [
        worker.service.metricCpuUtilization(),
        worker.service.metricMemoryUtilization(),
      ]),
      graph('Worker tasks', [
        containerInsightsMetric('RunningTaskCount', worker.service, 'Minimum'),
        containerInsightsMetric('DesiredTaskCount', worker.service, 'Maximum'),
      ]),
      graph(
        'Task queue pollers',
        queues.map((q) => backlog.metric('pollers', q, 'Minimum')),
      ),
      graph(
        'Task queue backlog',
        queues.map((q) => backlog.metric('backlogCount', q)),
      ),
      graph(
        'Task queue backlog age (s)',
        queues.map((q) => backlog.metric('backlogAge', q)),
      ),
    );
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 12 });
}
