/**
 * Tunables of one saga. Starters resolve every field ({@link resolveSagaSettings}) and pass
 * them in the input, so a default changed in code never changes the path of a saga that is
 * already running. Upper bounds keep a saga's history far below Temporal's event limits.
 */
export interface SagaSettings {
  /** How long to wait for a runner without a Stripe Connect account to onboard. */
  connectAccountWaitMs: number;
  /** First interval between Connect account checks (doubles up to an hour). */
  connectAccountPollMs: number;
  /**
   * How long to wait for a queued (or possibly queued) release to settle as SUCCEEDED or
   * FAILED; after that the saga parks for an operator (ADR 0002).
   */
  settlementWaitMs: number;
  /**
   * How long a release that the Payment Service definitely did not queue (503
   * KAFKA_ERROR, 429, connection refused) keeps being re-sent before the saga compensates.
   */
  releaseRetryWindowMs: number;
  /** First interval between such re-sends (doubles, capped at a minute in the first hour). */
  releaseRetryIntervalMs: number;
  /** How long to wait for a queued revert to show REVERTED; after that the saga parks. */
  revertWaitMs: number;
  /** Start-to-close timeout of one activity attempt (one HTTP request plus margin). */
  activityTimeoutMs: number;
  /**
   * How long a step after the pivot, or a compensation, is retried through transient
   * failures (5xx, timeouts) before the saga parks `STEP_UNAVAILABLE` and keeps trying on
   * its own schedule. A permanent answer (a 4xx) parks `STEP_REJECTED` at once.
   */
  stepRetryWindowMs: number;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Defaults the starters resolve into each saga's input. */
export const DEFAULT_SAGA_SETTINGS: SagaSettings = {
  connectAccountWaitMs: DAY,
  connectAccountPollMs: 60_000,
  settlementWaitMs: DAY,
  releaseRetryWindowMs: 6 * HOUR,
  releaseRetryIntervalMs: 1_000,
  revertWaitMs: DAY,
  activityTimeoutMs: 30_000,
  stepRetryWindowMs: HOUR,
};

/** Inclusive bounds of each setting. */
export const SAGA_SETTING_BOUNDS: Record<keyof SagaSettings, readonly [number, number]> = {
  connectAccountWaitMs: [1_000, 7 * DAY],
  connectAccountPollMs: [100, HOUR],
  settlementWaitMs: [1_000, 7 * DAY],
  releaseRetryWindowMs: [1_000, 2 * DAY],
  releaseRetryIntervalMs: [100, 60_000],
  revertWaitMs: [1_000, 7 * DAY],
  activityTimeoutMs: [5_000, 5 * 60_000],
  stepRetryWindowMs: [1_000, 7 * DAY],
};

/** Why `settings` is not a valid partial of {@link SagaSettings}, or undefined. */
export function describeInvalidSettings(settings: unknown): string | undefined {
  if (settings === undefined) return undefined;
  if (typeof settings !== 'object' || settings === null) return 'settings must be an object';
  for (const [key, value] of Object.entries(settings)) {
    const bounds = SAGA_SETTING_BOUNDS[key as keyof SagaSettings];
    if (!Object.hasOwn(SAGA_SETTING_BOUNDS, key) || !bounds) return `unknown setting ${key}`;
    if (!Number.isSafeInteger(value) || value < bounds[0] || value > bounds[1]) {
      return `setting ${key} must be an integer from ${bounds[0]} to ${bounds[1]}`;
    }
  }
  return undefined;
}

/** Every setting: the given ones over the defaults. Throws on an invalid setting. */
export function resolveSagaSettings(settings: Partial<SagaSettings> = {}): SagaSettings {
  const problem = describeInvalidSettings(settings);
  if (problem) throw new RangeError(problem);
  return { ...DEFAULT_SAGA_SETTINGS, ...settings };
}
