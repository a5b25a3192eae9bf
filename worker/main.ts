/**
 * The worker process (ECS Fargate task, or `npm run worker` locally): connects to Temporal
 * with @temporalio/envconfig, runs the saga's workflows and activities, serves /health,
 * and drains gracefully on SIGTERM within SHUTDOWN_GRACE_MS.
 */
import { join } from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config';
import { createSagaWorker } from './create-worker';
import { startHealthServer } from './health';
import { runtimeLogging } from './logger';
import { buildIdTag, metricsExporter } from './telemetry';

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env, join(import.meta.dirname, 'workflow-bundle.js'));
  const logging = runtimeLogging(config.logLevel);
  Runtime.install({
    logger: logging.logger,
    shutdownSignals: ['SIGTERM', 'SIGINT'],
    telemetryOptions: {
      ...logging.telemetryOptions,
      metrics: metricsExporter(config.metrics, buildIdTag(config.deployment)),
    },
  });
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const worker = await createSagaWorker({
    connection,
    namespace: config.temporal.namespace,
    services: config.services,
    httpTimeoutMs: config.httpTimeoutMs,
    shutdownGraceMs: config.shutdownGraceMs,
    taskQueue: config.taskQueue,
    maxCachedWorkflows: config.maxCachedWorkflows,
    workflows: { bundlePath: config.workflowBundlePath },
    deployment: config.deployment,
  });
  const health = await startHealthServer(config.healthPort, () => worker.getState());
  Runtime.instance().logger.info('worker started', {
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    healthPort: health.port,
    deployment: config.deployment ?? 'unversioned',
  });
  try {
    await worker.run();
  } finally {
    await health.close();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: 'ERROR', message: 'worker failed to start or crashed', error: message })}\n`,
  );
  process.exit(1);
});
