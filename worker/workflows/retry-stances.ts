/**
 * The saga's view of its activities: one proxy per retry stance, named for the stance or
 * for the part of the saga it serves. The stance of every failure type is written here
 * and nowhere else (ADR 0003).
 */
import {
  ActivityCancellationType,
  type ActivityOptions,
  proxyActivities,
} from '@temporalio/workflow';
import { FailureType } from '../../common/workflow-safe/failure-types';
import type { SagaSettings } from '../../common/workflow-safe/saga-settings';
import type { SagaActivities } from '../activities';

/**
 * Failures no retry can fix: before the pivot the saga fails (and compensates); after it,
 * and in a compensation, the saga parks `STEP_REJECTED` (run.ts, `untilDone`).
 */
export const PERMANENT = [
  FailureType.OrderNotFound,
  FailureType.RunnerNotFound,
  FailureType.PaymentNotFound,
  FailureType.DownstreamRejected,
  FailureType.ContractViolation,
];

export function activitiesByRetryStance(
  settings: Pick<SagaSettings, 'activityTimeoutMs' | 'stepRetryWindowMs'>,
) {
  const startToCloseTimeout = settings.activityTimeoutMs;
  /**
   * Reads before the pivot, and every read that may fail without harm:
   * transient faults retried for a few minutes, then the caller decides.
   */
  const briefly: ActivityOptions = {
    startToCloseTimeout,
    // The retry budget: five minutes absorbs a downstream blip (backoff 1 s to 30 s: more
    // than ten attempts that fail fast). With a long per-attempt timeout five minutes
    // could hold a single attempt, so the budget grows to three whole attempts instead.
    scheduleToCloseTimeout: Math.max(5 * 60_000, startToCloseTimeout * 3),
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: PERMANENT,
    },
  };
  const retryBriefly = proxyActivities<SagaActivities>(briefly);
  /**
   * The status write before the pivot (DELIVERED): retried as `retryBriefly`, but a cancel
   * waits until the attempt in flight has ended. The SDK's effective default (TRY_CANCEL)
   * reports the cancel at once while the attempt runs on, so the restore could read the old
   * status, do nothing, and the write land after it. The activity does not heartbeat, so
   * the attempt runs to its end, bounded by `startToCloseTimeout` (issue 17, defect 7).
   */
  const writeBeforePivot = proxyActivities<SagaActivities>({
    ...briefly,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** The release request: one attempt, the workflow decides about any other (ADR 0002). */
  const release = proxyActivities<SagaActivities>({
    startToCloseTimeout,
    retry: { maximumAttempts: 1 },
  });
  /**
   * Steps that must finish: retried through transient failures for `stepRetryWindowMs`,
   * stopped at once by a permanent answer. Either failure parks the saga (`untilDone` in
   * run.ts), so no saga stays RUNNING without progress (issue 17, item 6).
   */
  const mustFinish = {
    // One attempt never outlasts the window itself.
    startToCloseTimeout: Math.min(startToCloseTimeout, settings.stepRetryWindowMs),
    scheduleToCloseTimeout: settings.stepRetryWindowMs,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '5m',
      nonRetryableErrorTypes: PERMANENT,
    },
  };
  /** Compensations. */
  const compensation = proxyActivities<SagaActivities>(mustFinish);
  /** After the pivot: never undone, so a failure waits for the service or a person. */
  const afterPivot = proxyActivities<SagaActivities>(mustFinish);
  return { retryBriefly, writeBeforePivot, release, compensation, afterPivot };
}

export type SagaActivityProxies = ReturnType<typeof activitiesByRetryStance>;
