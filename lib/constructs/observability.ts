import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';
import type { BacklogMetric } from './backlog-metric';
import type { SagaApi } from './saga-api';
import type { WorkerService } from './worker-service';

export interface ObservabilityProps {
  readonly api: SagaApi;
  readonly worker: WorkerService;
  readonly backlog: BacklogMetric;
  readonly alarmEmail?: string;
}

const MINUTE = Duration.minutes(1);

/**
 * What on-call looks at: one dashboard (API, Lambda, worker, backlog) and alarms that
 * notify an SNS topic: API 5xx, Lambda errors, worker tasks below desired, backlog age.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new AlarmTopic(this, 'Alarms', {
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    }).topic;
    const { api, worker, backlog } = props;
    const functions = Object.values(api.functions).concat(backlog.publisher);
    const running = this.containerInsights('RunningTaskCount', worker);
    const desired = this.containerInsights('DesiredTaskCount', worker);

    this.alarm(
      'Api5xx',
      api.httpApi.metricServerError({ period: MINUTE, statistic: 'Sum' }),
      5,
      'API answered 5xx',
    );
    for (const f of functions) {
      const errors = f.function.metricErrors({ period: MINUTE, statistic: 'Sum' });
      this.alarm(`${f.node.id}Errors`, errors, 1, `Lambda ${f.node.id} failed`);
    }
    const missing = new MathExpression({
      expression: 'desired - running',
      usingMetrics: { desired, running },
      period: MINUTE,
    });
    this.alarm('WorkerTasksBelowDesired', missing, 1, 'fewer worker tasks run than desired', 5);
    const age = backlog.metric('ApproximateBacklogAge', 'activity');
    this.alarm('BacklogAgeGrowing', age, 300, 'saga tasks wait over 5 minutes for a worker', 5);

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
      graph('Worker tasks', [running, desired]),
      graph('Task queue backlog', [
        backlog.metric('ApproximateBacklogCount', 'workflow'),
        backlog.metric('ApproximateBacklogCount', 'activity'),
      ]),
      graph('Task queue backlog age (s)', [
        backlog.metric('ApproximateBacklogAge', 'workflow'),
        age,
      ]),
    );
  }

  /** Task counts come from Container Insights, which has a namespace of its own. */
  private containerInsights(metricName: string, worker: WorkerService): Metric {
    return new Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: {
        ClusterName: worker.cluster.clusterName,
        ServiceName: worker.service.serviceName,
      },
      statistic: 'Average',
      period: MINUTE,
    });
  }

  private alarm(
    id: string,
    metric: Metric | MathExpression,
    threshold: number,
    description: string,
    periods = 1,
  ) {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: periods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `complete-order-saga: ${description}`,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function graph(title: string, metrics: Array<Metric | MathExpression>): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 12 });
}
