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

/**
 * Slots (docs/performance.md, "Sizing"). Workflow tasks run one at a time in the
 * workflow thread, so more slots only queue inside the worker; 40 kept every step the
 * sizing bench ran under 1 s p99 schedule-to-start up to the rate the task's CPU allows
 * (0.5 vCPU: 5 sagas/s, p99 211 ms; 0.25 vCPU: 3/s, p99 85 ms; quiet run of 2026-11-26).
 * Activities are HTTP waits dispatched eagerly with the workflow task (activity
 * schedule-to-start p99 0 ms at every rate): at 6 sagas/s × 10 activities × ~0.1 s about 6
 * are in flight, so 100 leaves room for a slow downstream without holding more than the
 * task's memory allows (34 KB of I/O per saga).
 */
export const WORKFLOW_TASK_SLOTS = 40;
export const ACTIVITY_SLOTS = 100;

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
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
    maxConcurrentActivityTaskExecutions: ACTIVITY_SLOTS,
    ...(options.maxCachedWorkflows ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.deployment ? { workerDeploymentOptions: pinnedTo(options.deployment) } : {}),
    ...workflows,
  });
}

/**
 * Versioned polling, every saga pinned: a saga waits days, and must finish on the code
 * that started it while newer versions take new sagas. `patched()` is only for a fix that
 * must reach sagas already running.
 */
function pinnedTo(version: WorkerDeploymentVersion): WorkerDeploymentOptions {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}
