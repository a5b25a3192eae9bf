import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../sandbox/worker-process';
import { loadWorkerConfig } from '../worker/config';
import { WORKER_SETTINGS } from './support/worker-settings';

const VALID = WORKER_SETTINGS;

describe('Function: loadWorkerConfig', () => {
  it('reads a complete environment with defaults for the optional settings', () => {
    const config = loadWorkerConfig(VALID, '/bundle.js');
    expect(config).toMatchObject({
      temporal: { namespace: 'default', connectionOptions: { address: 'localhost:7233' } },
      services: {
        order: VALID.ORDER_SERVICE_URL,
        user: VALID.USER_SERVICE_URL,
        payment: VALID.PAYMENT_SERVICE_URL,
      },
      taskQueue: 'complete-order-queue',
      httpTimeoutMs: 10_000,
      shutdownGraceMs: 30_000,
      healthPort: 8080,
      workflowBundlePath: '/bundle.js',
    });
  });

  it('exports no metrics unless METRICS_OTLP_URL is set, then every minute by default', () => {
    expect(loadWorkerConfig(VALID, '/b.js').metrics).toBeUndefined();
    const url = 'http://127.0.0.1:4318/v1/metrics';
    expect(loadWorkerConfig({ ...VALID, METRICS_OTLP_URL: url }, '/b.js').metrics).toEqual({
      url,
      exportIntervalMs: 60_000,
    });
  });

  it('polls unversioned unless a deployment and build id are both set', () => {
    expect(loadWorkerConfig(VALID, '/b.js').deployment).toBeUndefined();
    const versioned = loadWorkerConfig(
      {
        ...VALID,
        TEMPORAL_WORKER_DEPLOYMENT_NAME: 'complete-order',
        TEMPORAL_WORKER_BUILD_ID: 'ab12',
      },
      '/b.js',
    );
    expect(versioned.deployment).toEqual({ deploymentName: 'complete-order', buildId: 'ab12' });
  });

  it("accepts the old service's TEMPORAL_GRPC_ENDPOINT", () => {
    const { TEMPORAL_ADDRESS: _, ...rest } = VALID;
    const config = loadWorkerConfig({ ...rest, TEMPORAL_GRPC_ENDPOINT: 'temporal:7233' }, '/b.js');
    expect(config.temporal.connectionOptions.address).toBe('temporal:7233');
  });

  it('turns on TLS with an API key, as Temporal Cloud needs', () => {
    const config = loadWorkerConfig(
      { ...VALID, TEMPORAL_API_KEY: 'key', TEMPORAL_NAMESPACE: 'prod.a1b2c' },
      '/b.js',
    );
    expect(config.temporal.namespace).toBe('prod.a1b2c');
    expect(config.temporal.connectionOptions).toMatchObject({ apiKey: 'key', tls: true });
  });

  it.each([
    ['ORDER_SERVICE_URL', { ORDER_SERVICE_URL: undefined }],
    ['USER_SERVICE_URL', { USER_SERVICE_URL: 'not a url' }],
    ['PAYMENT_SERVICE_URL', { PAYMENT_SERVICE_URL: 'ftp://payments' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: undefined }],
    ['HTTP_TIMEOUT_MS', { HTTP_TIMEOUT_MS: '10s' }],
    ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: '-1' }],
    ['HEALTH_PORT', { HEALTH_PORT: '70000' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
    ['SAGA_ACTIVITY_TIMEOUT_MS', { SAGA_ACTIVITY_TIMEOUT_MS: '1000' }],
    ['METRICS_OTLP_URL', { METRICS_OTLP_URL: 'localhost:4318' }],
    ['METRICS_OTLP_URL', { METRICS_EXPORT_INTERVAL_MS: '1000' }],
    ['TEMPORAL_WORKER_BUILD_ID', { TEMPORAL_WORKER_DEPLOYMENT_NAME: 'complete-order' }],
    ['TEMPORAL_WORKER_DEPLOYMENT_NAME', { TEMPORAL_WORKER_BUILD_ID: 'abc123' }],
    [
      'TEMPORAL_WORKER_BUILD_ID',
      { TEMPORAL_WORKER_DEPLOYMENT_NAME: 'complete-order', TEMPORAL_WORKER_BUILD_ID: 'a b' },
    ],
    [
      'METRICS_EXPORT_INTERVAL_MS',
      { METRICS_OTLP_URL: 'http://x/v1', METRICS_EXPORT_INTERVAL_MS: '5' },
    ],
  ])('names %s when it is missing or malformed', (name, override) => {
    expect(() => loadWorkerConfig({ ...VALID, ...override }, '/b.js')).toThrow(name);
  });
});

describe('Function: loadWorkerConfig (HTTP timeout against the activity timeout)', () => {
  it('refuses an HTTP timeout that the activity timeout would cut short, naming both', () => {
    const env = { ...VALID, HTTP_TIMEOUT_MS: '29500' };
    expect(() => loadWorkerConfig(env, '/b.js')).toThrow(
      /HTTP_TIMEOUT_MS \(29500\).*SAGA_ACTIVITY_TIMEOUT_MS \(30000\)/,
    );
  });

  it('accepts a longer HTTP timeout when the sagas get a longer activity timeout', () => {
    const env = { ...VALID, HTTP_TIMEOUT_MS: '29500', SAGA_ACTIVITY_TIMEOUT_MS: '60000' };
    expect(loadWorkerConfig(env, '/b.js').httpTimeoutMs).toBe(29_500);
  });
});

describe('Worker process: bad settings', () => {
  it('exits 1 at start with a message naming the missing setting', async () => {
    const { ORDER_SERVICE_URL: _, ...env } = VALID;
    const worker = spawnWorker(env);
    await expect(worker.started).rejects.toThrow();
    expect((await worker.exited).code).toBe(1);
    expect(worker.stderr()).toContain('ORDER_SERVICE_URL is required');
  });
});
