/**
 * The worker's settings, read once at start from the environment. Anything missing or
 * malformed stops the process with a message that names the setting.
 */
import { TASK_QUEUE } from '../common/names';
import { DEFAULT_SAGA_SETTINGS, SAGA_SETTING_BOUNDS } from '../common/saga';
import {
  ConfigError,
  type TemporalConnectConfig,
  temporalConnection,
} from '../common/temporal-config';
import type { ServiceUrls } from './activities';

export { ConfigError };

export interface WorkerConfig {
  temporal: TemporalConnectConfig;
  services: ServiceUrls;
  /** Task queue to poll; only tests and blue/green moves change the default. */
  taskQueue: string;
  /** Per-request timeout of downstream HTTP calls. */
  httpTimeoutMs: number;
  /** How long in-flight activities get to finish after SIGTERM. */
  shutdownGraceMs: number;
  healthPort: number;
  /**
   * Workflows kept in the worker's cache (docs/performance.md, "Capacity"). 200: RSS per
   * saga in flight was the same with the cache holding all 100 waiting sagas or a quarter
   * of them (onboarding 1.6 vs 1.7 MiB, settlement 3.5 vs 3.1 MiB; 2026-11-26), so the
   * cache is not what the memory goes to; 200 is far above the sagas a 0.5 vCPU task
   * works on at once (≈ 3 sagas/s × a few seconds each), so active sagas never replay.
   */
  maxCachedWorkflows: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  workflowBundlePath: string;
  /** Export the SDK's metrics over OTLP/HTTP (@default none: local runs and tests). */
  metrics?: MetricsExport;
  /**
   * Worker Versioning (ADR 0012): poll as this version of this Worker Deployment, new
   * sagas pinned to it once it is current (@default none: unversioned, as local runs).
   */
  deployment?: DeploymentVersion;
}

export interface DeploymentVersion {
  deploymentName: string;
  buildId: string;
}

export interface MetricsExport {
  /** OTLP/HTTP metrics endpoint, e.g. the ADOT sidecar's http://127.0.0.1:4318/v1/metrics. */
  url: string;
  exportIntervalMs: number;
}

type Env = Record<string, string | undefined>;

function serviceUrl(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required (base URL, e.g. http://localhost:3002)`);
  return httpUrl(name, value);
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function logLevel(env: Env): WorkerConfig['logLevel'] {
  const value = (env.LOG_LEVEL ?? 'INFO').toUpperCase();
  if (value === 'DEBUG' || value === 'INFO' || value === 'WARN' || value === 'ERROR') return value;
  throw new ConfigError(
    `LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(env.LOG_LEVEL)}`,
  );
}

/** Room an activity keeps after its HTTP request timed out: the failure must be reported. */
export const ACTIVITY_MARGIN_MS = 1_000;

/**
 * An answer that arrives within HTTP_TIMEOUT_MS must never be turned into "unknown" by an
 * activity timeout that ends first (for a release, that parks a saga that was paid). The
 * sagas' activity timeout is SAGA_ACTIVITY_TIMEOUT_MS (the API resolves the same variable
 * into each saga's input; the CDK app sets both).
 */
function checkTimeouts(env: Env, httpTimeoutMs: number): void {
  const activityTimeoutMs = integer(
    env,
    'SAGA_ACTIVITY_TIMEOUT_MS',
    DEFAULT_SAGA_SETTINGS.activityTimeoutMs,
    ...SAGA_SETTING_BOUNDS.activityTimeoutMs,
  );
  if (httpTimeoutMs + ACTIVITY_MARGIN_MS > activityTimeoutMs) {
    throw new ConfigError(
      `HTTP_TIMEOUT_MS (${httpTimeoutMs}) must be at least ${ACTIVITY_MARGIN_MS} ms shorter than SAGA_ACTIVITY_TIMEOUT_MS (${activityTimeoutMs}), the activity timeout of every request`,
    );
  }
}

export function loadWorkerConfig(env: Env, defaultBundlePath: string): WorkerConfig {
  const httpTimeoutMs = integer(env, 'HTTP_TIMEOUT_MS', 10_000, 100, 120_000);
  checkTimeouts(env, httpTimeoutMs);
  return {
    temporal: temporalConnection(env),
    services: {
      order: serviceUrl(env, 'ORDER_SERVICE_URL'),
      user: serviceUrl(env, 'USER_SERVICE_URL'),
      payment: serviceUrl(env, 'PAYMENT_SERVICE_URL'),
    },
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE,
    httpTimeoutMs,
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 30_000, 0, 600_000),
    healthPort: integer(env, 'HEALTH_PORT', 8080, 0, 65_535),
    maxCachedWorkflows: integer(env, 'MAX_CACHED_WORKFLOWS', 200, 2, 100_000),
    logLevel: logLevel(env),
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH || defaultBundlePath,
    ...optionalMetrics(env),
    ...optionalDeployment(env),
  };
}

/** Both or neither: a build id without a deployment (or the reverse) is a mistake. */
function optionalDeployment(env: Env): { deployment?: DeploymentVersion } {
  const names = ['TEMPORAL_WORKER_DEPLOYMENT_NAME', 'TEMPORAL_WORKER_BUILD_ID'] as const;
  const [deploymentName, buildId] = names.map((name) => env[name]);
  if (!deploymentName && !buildId) return {};
  for (const name of names) {
    const value = env[name];
    if (!value || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(value)) {
      throw new ConfigError(
        `${name} must be set with ${names.join(' and ')}: letters, digits, _ and -, at most 255`,
      );
    }
  }
  return { deployment: { deploymentName: deploymentName as string, buildId: buildId as string } };
}

/** Metrics export is on when METRICS_OTLP_URL is set; an interval alone is a mistake. */
function optionalMetrics(env: Env): { metrics?: MetricsExport } {
  const url = env.METRICS_OTLP_URL;
  if (!url) {
    if (env.METRICS_EXPORT_INTERVAL_MS) {
      throw new ConfigError('METRICS_EXPORT_INTERVAL_MS is set but METRICS_OTLP_URL is not');
    }
    return {};
  }
  return {
    metrics: {
      url: httpUrl('METRICS_OTLP_URL', url),
      exportIntervalMs: integer(env, 'METRICS_EXPORT_INTERVAL_MS', 60_000, 1_000, 600_000),
    },
  };
}
