/**
 * The API handlers' settings, read once per Lambda container (at first use, so a bad
 * setting becomes a logged 500 on a request rather than a crashed init).
 */
import { type Env, integerSetting, oneOfSetting } from '../common/env';
import { sagaSettingsFromEnv } from '../common/saga-env';
import { type TemporalConnectConfig, temporalConnection } from '../common/temporal-config';
import { TASK_QUEUE } from '../common/workflow-safe/names';
import type { SagaSettings } from '../common/workflow-safe/saga-settings';

export const AuthMode = { jwt: 'jwt', iam: 'iam', none: 'none' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

export interface ApiConfig {
  temporal: TemporalConnectConfig;
  taskQueue: string;
  /** Deadline of one call to Temporal; shorter than the function's timeout. */
  callDeadlineMs: number;
  /** Bound on opening the connection to Temporal. */
  connectTimeoutMs: number;
  /** Bound on reading the Temporal credential from Secrets Manager. */
  secretReadTimeoutMs: number;
  /** `none` lets requests without an authorizer identity through (local server only). */
  authMode: AuthMode;
  /** When not empty, a runner's token must name one of these origins in `azp`. */
  authorizedParties: string[];
  /** Saga settings passed to every saga started (empty: the workflow's defaults). */
  sagaSettings: Partial<SagaSettings>;
}

/** Largest request body accepted (decoded bytes); larger is a 413. */
export const MAX_BODY_BYTES = 4096;

/**
 * A duration setting in milliseconds; synth checks that together they fit the function
 * timeout. Empty is a mistake here (the CDK app always sets a value).
 */
function millis(env: Env, name: string, fallback: number, max: number): number {
  return integerSetting(name, env[name], { fallback, min: 100, max });
}

export function loadApiConfig(env: Env): ApiConfig {
  return {
    temporal: temporalConnection(env),
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE,
    callDeadlineMs: millis(env, 'TEMPORAL_CALL_DEADLINE_MS', 5000, 25_000),
    connectTimeoutMs: millis(env, 'TEMPORAL_CONNECT_TIMEOUT_MS', 2000, 10_000),
    secretReadTimeoutMs: millis(env, 'TEMPORAL_SECRET_TIMEOUT_MS', 2000, 10_000),
    authMode: oneOfSetting('AUTH_MODE', env.AUTH_MODE, Object.values(AuthMode), AuthMode.jwt),
    authorizedParties: (env.JWT_AUTHORIZED_PARTIES ?? '')
      .split(',')
      .map((party) => party.trim())
      .filter(Boolean),
    sagaSettings: sagaSettingsFromEnv(env),
  };
}

let cached: ApiConfig | undefined;

/** This container's config, loaded on first use. */
export function apiConfig(): ApiConfig {
  cached ??= loadApiConfig(process.env);
  return cached;
}
