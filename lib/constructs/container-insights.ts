import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';

/**
 * A worker service metric from Container Insights (task counts), which has a namespace
 * of its own; used by both scaling (running tasks) and the alarms.
 */
export function containerInsightsMetric(
  metricName: 'RunningTaskCount' | 'DesiredTaskCount',
  service: FargateService,
  statistic: string,
): Metric {
  return new Metric({
    namespace: 'ECS/ContainerInsights',
    metricName,
    dimensionsMap: {
      ClusterName: service.cluster.clusterName,
      ServiceName: service.serviceName,
    },
    statistic,
    period: Duration.minutes(1),
  });
}
