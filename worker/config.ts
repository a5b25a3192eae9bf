/**
 * The worker's settings, read once at start from the environment. Anything missing or
 * malformed stops the process with a message that names the setting.
 */
import { ConfigError, type Env, httpUrlSetting, integerVar, oneOfSetting } from '../common/env';
import { sagaSettingFromEnv, sagaSettingVar } from '../common/saga-env';
import { type TemporalConnectConfig, temporalConnection } from '../common/temporal-config';
import { WORKER_HEALTH_PORT, WORKER_HEALTH_PORT_VAR } from '../common/worker-health';
import { TASK_QUEUE } from '../common/workflow-safe/names';
import { DEFAULT_SAGA_SETTINGS } from '../common/workflow-safe/saga-settings';
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
   * Workflows kept in the worker's cache (docs/performance.md, "Memory per saga in
   * flight"). 200: a cached waiting saga costs ≈ 0.8–1.0 MiB of RSS, an evicted one ≈
   * 0.55–0.67 MiB (500 in flight, 2026-11-26), so 200 cached cost ≈ 200 MiB and a 2 GiB
   * task keeps ≈ 950 more evicted sagas under half its memory; 200 is far above the sagas
   * a 0.5 vCPU task works on at once (≈ 3 sagas/s × a few seconds each), so active sagas
   * never replay.
   */
  maxCachedWorkflows: number;
  logLevel: (typeof LOG_LEVELS)[number];
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

function serviceUrl(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required (base URL, e.g. http://localhost:3002)`);
  return httpUrlSetting(name, value);
}

const integer = (env: Env, name: string, fallback: number, min: number, max: number) =>
  integerVar(env, name, { fallback, min, max });

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Room an activity keeps after its HTTP request timed out: the failure must be reported. */
export const ACTIVITY_MARGIN_MS = 1_000;

/**
 * An answer that arrives within HTTP_TIMEOUT_MS must never be turned into "unknown" by an
 * activity timeout that ends first (for a release, that parks a saga that was paid). The
 * sagas' activity timeout is SAGA_ACTIVITY_TIMEOUT_MS (the API resolves the same variable
 * into each saga's input; the CDK app sets both).
 */
function checkTimeouts(env: Env, httpTimeoutMs: number): void {
  const activityTimeoutMs =
    sagaSettingFromEnv(env, 'activityTimeoutMs') ?? DEFAULT_SAGA_SETTINGS.activityTimeoutMs;
  if (httpTimeoutMs + ACTIVITY_MARGIN_MS > activityTimeoutMs) {
    throw new ConfigError(
      `HTTP_TIMEOUT_MS (${httpTimeoutMs}) must be at least ${ACTIVITY_MARGIN_MS} ms shorter than ${sagaSettingVar('activityTimeoutMs')} (${activityTimeoutMs}), the activity timeout of every request`,
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
    healthPort: integer(env, WORKER_HEALTH_PORT_VAR, WORKER_HEALTH_PORT, 0, 65_535),
    maxCachedWorkflows: integer(env, 'MAX_CACHED_WORKFLOWS', 200, 2, 100_000),
    logLevel: oneOfSetting('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'INFO', (v) => v.toUpperCase()),
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
      url: httpUrlSetting('METRICS_OTLP_URL', url),
      exportIntervalMs: integer(env, 'METRICS_EXPORT_INTERVAL_MS', 60_000, 1_000, 600_000),
    },
  };
}
