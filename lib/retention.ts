import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { DeploymentConfig } from './config';

/** CloudWatch accepts a fixed set of retention periods: the configured one, rounded up. */
export function retention(config: DeploymentConfig): RetentionDays {
  const allowed = Object.values(RetentionDays).filter(
    (d): d is number => typeof d === 'number' && d > 0,
  );
  return (allowed.sort((a, b) => a - b).find((d) => d >= config.logRetentionDays) ??
    RetentionDays.TEN_YEARS) as RetentionDays;
}
