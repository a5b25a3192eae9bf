/**
 * The API handlers' settings, read once per Lambda container (at first use, so a bad
 * setting becomes a logged 500 on a request rather than a crashed init).
 */

import {
  ConfigError,
  type TemporalConnectConfig,
  temporalConnection,
} from '../common/temporal-config';
import { TASK_QUEUE } from '../common/workflow-safe/names';
import {
  describeInvalidSettings,
  SAGA_SETTING_BOUNDS,
  type SagaSettings,
} from '../common/workflow-safe/saga-settings';

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

/** The environment variable of a saga setting: connectAccountWaitMs → SAGA_CONNECT_ACCOUNT_WAIT_MS. */
export function sagaSettingVar(key: keyof SagaSettings): string {
  return `SAGA_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function sagaSettings(env: Record<string, string | undefined>): Partial<SagaSettings> {
  const settings: Partial<SagaSettings> = {};
  for (const key of Object.keys(SAGA_SETTING_BOUNDS) as Array<keyof SagaSettings>) {
    const raw = env[sagaSettingVar(key)];
    if (raw === undefined || raw === '') continue;
    settings[key] = Number(raw);
    const problem = describeInvalidSettings({ [key]: Number(raw) });
    if (problem)
      throw new ConfigError(`${sagaSettingVar(key)}: ${problem}, got ${JSON.stringify(raw)}`);
  }
  return settings;
}

/** Largest request body accepted (decoded bytes); larger is a 413. */
export const MAX_BODY_BYTES = 4096;

function authMode(value: string | undefined): AuthMode {
  const mode = value ?? AuthMode.jwt;
  if (Object.hasOwn(AuthMode, mode)) return mode as AuthMode;
  throw new ConfigError(`AUTH_MODE must be jwt, iam or none, got ${JSON.stringify(value)}`);
}

/** A duration setting in milliseconds; synth checks that together they fit the function timeout. */
function millis(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  max: number,
) {
  const value = env[name];
  const ms = Number(value ?? fallback);
  if (!Number.isInteger(ms) || ms < 100 || ms > max) {
    throw new ConfigError(
      `${name} must be an integer from 100 to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  return {
    temporal: temporalConnection(env),
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE,
    callDeadlineMs: millis(env, 'TEMPORAL_CALL_DEADLINE_MS', 5000, 25_000),
    connectTimeoutMs: millis(env, 'TEMPORAL_CONNECT_TIMEOUT_MS', 2000, 10_000),
    secretReadTimeoutMs: millis(env, 'TEMPORAL_SECRET_TIMEOUT_MS', 2000, 10_000),
    authMode: authMode(env.AUTH_MODE),
    authorizedParties: (env.JWT_AUTHORIZED_PARTIES ?? '')
      .split(',')
      .map((party) => party.trim())
      .filter(Boolean),
    sagaSettings: sagaSettings(env),
  };
}

let cached: ApiConfig | undefined;

/** This container's config, loaded on first use. */
export function apiConfig(): ApiConfig {
  cached ??= loadApiConfig(process.env);
  return cached;
}
