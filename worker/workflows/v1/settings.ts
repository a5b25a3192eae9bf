/**
 * The settings of sagas started before the money-safety change (v1), frozen: their
 * histories replay on this code, so neither the shape nor a default may change.
 */
export interface SagaSettingsV1 {
  connectAccountWaitMs: number;
  settlementWaitMs: number;
  releaseAttempts: number;
  activityTimeoutMs: number;
}

export const V1_DEFAULT_SETTINGS: SagaSettingsV1 = {
  connectAccountWaitMs: 24 * 60 * 60 * 1000,
  settlementWaitMs: 24 * 60 * 60 * 1000,
  releaseAttempts: 5,
  activityTimeoutMs: 30_000,
};
