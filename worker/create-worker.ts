import type { WorkerDeploymentVersion } from '@temporalio/common';
import {
  type NativeConnection,
  Worker,
  type WorkerDeploymentOptions,
  type WorkerOptions,
} from '@temporalio/worker';
import { TASK_QUEUE } from '../common/workflow-safe/names';
import { createActivities, type ServiceUrls } from './activities';

export interface SagaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  services: ServiceUrls;
  httpTimeoutMs: number;
  /** Prebuilt bundle (production) or source path (tests that change workflow code). */
  workflows: { bundlePath: string } | { workflowsPath: string };
  taskQueue?: string;
  shutdownGraceMs?: number;
  /** @default the SDK's, derived from the heap size */
  maxCachedWorkflows?: number;
  /**
   * Poll as this Worker Deployment version; sagas it starts are pinned to it and finish on
   * it (ADR 0012). @default unversioned
   */
  deployment?: WorkerDeploymentVersion;
}

/** The saga's worker: the one place that wires workflows, activities and the task queue. */
export function createSagaWorker(options: SagaWorkerOptions): Promise<Worker> {
  const workflows: Partial<WorkerOptions> =
    'bundlePath' in options.workflows
      ? { workflowBundle: { codePath: options.workflows.bundlePath } }
      : { workflowsPath: options.workflows.workflowsPath };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: createActivities(options.services, options.httpTimeoutMs),
    shutdownGraceTime: options.shutdownGraceMs ?? 30_000,
    ...(options.maxCachedWorkflows ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.deployment ? { workerDeploymentOptions: pinnedTo(options.deployment) } : {}),
    ...workflows,
  });
}

/**
 * Versioned polling, every saga pinned: a saga waits days, and must finish on the code
 * that started it while newer versions take new sagas. `patched()` remains the way to
 * change running sagas.
 */
function pinnedTo(version: WorkerDeploymentVersion): WorkerDeploymentOptions {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}
