import { Names } from 'aws-cdk-lib';
import { CfnScalingPolicy } from 'aws-cdk-lib/aws-applicationautoscaling';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import type { WorkerSizing } from '../config';
import type { BacklogMetric } from './backlog-metric';
import { containerInsightsMetric } from './container-insights';

export interface WorkerScalingProps {
  readonly service: FargateService;
  readonly sizing: WorkerSizing;
  readonly backlog: BacklogMetric;
}

/**
 * How many worker tasks run: target tracking on CPU, and on the activity backlog *per
 * running task* (metric math), the measure that stays put when tasks are added. Tracking
 * the total backlog would keep adding tasks while any backlog remains, and remove them
 * all at once when it drains.
 */
export class WorkerScaling extends Construct {
  constructor(scope: Construct, id: string, props: WorkerScalingProps) {
    super(scope, id);
    const { service, sizing, backlog } = props;
    const scaling = service.autoScaleTaskCount({
      minCapacity: sizing.minTasks,
      maxCapacity: sizing.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    // The L2 policy takes a single metric only; the L1 one takes metric math.
    new CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: Names.uniqueId(this),
      policyType: 'TargetTrackingScaling',
      scalingTargetId: scaling.scalableTargetRef.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: sizing.targetBacklogPerTask,
        customizedMetricSpecification: {
          metrics: [
            query('backlog', backlog.metric('backlogCount', 'activity', 'Maximum')),
            query('running', containerInsightsMetric('RunningTaskCount', service, 'Average')),
            {
              id: 'perTask',
              expression: 'backlog / running',
              label: 'activity tasks waiting per running worker task',
              returnData: true,
            },
          ],
        },
      },
    });
  }
}

function query(id: string, metric: ReturnType<BacklogMetric['metric']>) {
  const stat = metric.toMetricConfig().metricStat;
  if (!stat) throw new Error(`${id} must be a plain metric`);
  return {
    id,
    returnData: false,
    metricStat: {
      stat: stat.statistic,
      metric: {
        namespace: stat.namespace,
        metricName: stat.metricName,
        dimensions: (stat.dimensions ?? []).map(({ name, value }) => ({ name, value })),
      },
    },
  };
}
