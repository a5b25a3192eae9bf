import { describe, expect, it } from 'vitest';
import { ConfigError, integerVar, oneOfSetting } from '../common/env';
import { sagaSettingsFromEnv, sagaSettingVar } from '../common/saga-env';
import {
  DEFAULT_SAGA_SETTINGS,
  SAGA_SETTING_BOUNDS,
  type SagaSettings,
} from '../common/workflow-safe/saga-settings';
import { loadApiConfig } from '../functions/config';
import { loadWorkerConfig } from '../worker/config';
import { WORKER_SETTINGS } from './support/worker-settings';

const TEMPORAL = { TEMPORAL_ADDRESS: 'localhost:7233' };
const WORKER = WORKER_SETTINGS;
const KEYS = Object.keys(SAGA_SETTING_BOUNDS) as Array<keyof SagaSettings>;

describe('Environment settings: one reader (common/env.ts) for the API, the worker and the local stack', () => {
  it('names the variable, the range and the value given', () => {
    expect(() => integerVar({ X_MS: '10s' }, 'X_MS', { fallback: 1, min: 1, max: 9 })).toThrow(
      new ConfigError('X_MS must be an integer from 1 to 9, got "10s"'),
    );
    expect(integerVar({ X_MS: '' }, 'X_MS', { fallback: 4, min: 1, max: 9 })).toBe(4);
    expect(() => oneOfSetting('MODE', 'x', ['a', 'b', 'c'], 'a')).toThrow(
      'MODE must be a, b or c, got "x"',
    );
  });

  it('keeps the API strict about empty durations and the worker lenient, as before', () => {
    expect(() => loadApiConfig({ ...TEMPORAL, TEMPORAL_CALL_DEADLINE_MS: '' })).toThrow(
      'TEMPORAL_CALL_DEADLINE_MS must be an integer from 100 to 25000, got ""',
    );
    expect(loadWorkerConfig({ ...WORKER, HTTP_TIMEOUT_MS: '' }, '/b.js').httpTimeoutMs).toBe(
      10_000,
    );
    expect(() => loadApiConfig({ ...TEMPORAL, AUTH_MODE: 'open' })).toThrow(
      'AUTH_MODE must be jwt, iam or none, got "open"',
    );
    expect(() => loadWorkerConfig({ ...WORKER, LOG_LEVEL: 'chatty' }, '/b.js')).toThrow(
      'LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, got "chatty"',
    );
  });
});

describe('Saga settings from the environment: one reader (common/saga-env.ts)', () => {
  it('reads every setting from its own variable, and the API passes them all on', () => {
    const env = Object.fromEntries(
      KEYS.map((key) => [sagaSettingVar(key), String(SAGA_SETTING_BOUNDS[key][1])]),
    );
    const expected = Object.fromEntries(KEYS.map((key) => [key, SAGA_SETTING_BOUNDS[key][1]]));
    expect(sagaSettingsFromEnv(env)).toEqual(expected);
    expect(loadApiConfig({ ...TEMPORAL, ...env }).sagaSettings).toEqual(expected);
    expect(sagaSettingVar('connectAccountWaitMs')).toBe('SAGA_CONNECT_ACCOUNT_WAIT_MS');
  });

  it('refuses an out-of-bounds activity timeout with the same words in the API and the worker', () => {
    const env = { [sagaSettingVar('activityTimeoutMs')]: '1000' };
    const message = `SAGA_ACTIVITY_TIMEOUT_MS: setting activityTimeoutMs must be an integer from ${SAGA_SETTING_BOUNDS.activityTimeoutMs.join(' to ')}, got "1000"`;
    expect(() => loadApiConfig({ ...TEMPORAL, ...env })).toThrow(message);
    expect(() => loadWorkerConfig({ ...WORKER, ...env }, '/b.js')).toThrow(message);
  });

  it('gives the worker the default activity timeout the API resolves when none is set', () => {
    const tooLong = String(DEFAULT_SAGA_SETTINGS.activityTimeoutMs);
    expect(() => loadWorkerConfig({ ...WORKER, HTTP_TIMEOUT_MS: tooLong }, '/b.js')).toThrow(
      `SAGA_ACTIVITY_TIMEOUT_MS (${DEFAULT_SAGA_SETTINGS.activityTimeoutMs})`,
    );
  });
});
