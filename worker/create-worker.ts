import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUE } from '../common/names';
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
    ...workflows,
  });
}

export { NativeConnection };
