/**
 * The worker's health endpoint: served by the worker (worker/health.ts), asked by the ECS
 * container health check (lib/constructs/worker-task.ts) and exposed by worker/Dockerfile,
 * which a test holds to these values. Pure: importable from the CDK app and the worker.
 */

/** The port it listens on unless the variable below says otherwise. */
export const WORKER_HEALTH_PORT = 8080;

/** The environment variable that sets the port (0: any free one, for tests). */
export const WORKER_HEALTH_PORT_VAR = 'HEALTH_PORT';

/** 200 while the worker polls, 503 otherwise. */
export const WORKER_HEALTH_PATH = '/health';
