/**
 * Saga settings from the environment: one variable per setting (SAGA_ACTIVITY_TIMEOUT_MS,
 * ...), checked against the bounds in common/workflow-safe/saga-settings.ts. The API resolves them into each
 * saga's input; the worker reads the activity timeout to check its HTTP timeout fits.
 */
import { ConfigError, type Env, envValue } from './env';
import {
  describeInvalidSettings,
  SAGA_SETTING_BOUNDS,
  type SagaSettings,
} from './workflow-safe/saga-settings';

/** The environment variable of a saga setting: connectAccountWaitMs → SAGA_CONNECT_ACCOUNT_WAIT_MS. */
export function sagaSettingVar(key: keyof SagaSettings): string {
  return `SAGA_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** One setting from its variable; undefined when unset or empty. A bad value names the variable. */
export function sagaSettingFromEnv(env: Env, key: keyof SagaSettings): number | undefined {
  const name = sagaSettingVar(key);
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const problem = describeInvalidSettings({ [key]: Number(raw) });
  if (problem) throw new ConfigError(`${name}: ${problem}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Every setting whose variable is set. */
export function sagaSettingsFromEnv(env: Env): Partial<SagaSettings> {
  const settings: Partial<SagaSettings> = {};
  for (const key of Object.keys(SAGA_SETTING_BOUNDS) as Array<keyof SagaSettings>) {
    const value = sagaSettingFromEnv(env, key);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}
