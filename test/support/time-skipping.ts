import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox';
import { startTimeSkippingServer } from '../../sandbox/temporal-server';
import { createSagaWorker } from '../../worker/create-worker';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  taskQueue: string;
}

/**
 * Registers the hooks of a file whose sagas wait hours or days: a time-skipping server, the
 * sandbox services and a saga worker on its own task queue, started before all tests and
 * stopped after. Returns a view that reads them once started.
 */
export function useTimeSkippingWorker(prefix: string): TimeSkipping {
  let started: TimeSkipping | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    const env = await startTimeSkippingServer();
    const sandbox = await startSandbox();
    const taskQueue = `${prefix}-${randomUUID()}`;
    started = { env, sandbox, taskQueue };
    worker = await createSagaWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services: sandbox.urls,
      httpTimeoutMs: 2_000,
      workflows: { bundlePath: inject('workflowBundlePath') },
      taskQueue,
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await started?.sandbox.close();
    await started?.env.teardown();
  });
  return new Proxy({} as TimeSkipping, {
    get(_target, key) {
      if (!started) throw new Error('time-skipping worker used before beforeAll started it');
      return started[key as keyof TimeSkipping];
    },
  });
}
