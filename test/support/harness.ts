/**
 * A saga under test: the sandbox services, a worker on its own task queue against the
 * shared dev server (or a given environment), and helpers to start sagas and read results.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { completeOrderStart } from '../../common/start';
import { PROGRESS_QUERY } from '../../common/workflow-safe/names';
import type { CompleteOrderInput, SagaProgress } from '../../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../../common/workflow-safe/saga-settings';
import { type Sandbox, type SeededOrder, type SeedOptions, startSandbox } from '../../sandbox';
import { createSagaWorker } from '../../worker/create-worker';

export interface Harness {
  sandbox: Sandbox;
  client: Client;
  taskQueue: string;
  /** Seeds an order in the sandbox and starts its saga. */
  seedAndStart(
    seed?: SeedOptions,
    settings?: Partial<SagaSettings>,
  ): Promise<{ seeded: SeededOrder; handle: WorkflowHandle }>;
  start(input: CompleteOrderInput): Promise<WorkflowHandle>;
  close(): Promise<void>;
}

/** Test settings: short activity timeouts so an abandoned attempt is noticed quickly. */
export const FAST_SETTINGS: Partial<SagaSettings> = {
  activityTimeoutMs: 5_000,
  settlementWaitMs: 60_000,
  releaseRetryIntervalMs: 200,
  revertWaitMs: 60_000,
};

export interface HarnessOptions {
  /** Connect to this server instead of the shared dev server. */
  address?: string;
  namespace?: string;
  /** Run no worker in this process (e.g. a worker child process is used). */
  noWorker?: boolean;
  taskQueue?: string;
  httpTimeoutMs?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const address = options.address ?? inject('temporalAddress');
  const namespace = options.namespace ?? inject('temporalNamespace');
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const sandbox = await startSandbox();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (!options.noWorker) {
    nativeConnection = await NativeConnection.connect({ address });
    worker = await createSagaWorker({
      connection: nativeConnection,
      namespace,
      services: sandbox.urls,
      httpTimeoutMs: options.httpTimeoutMs ?? 2_000,
      workflows: { bundlePath: inject('workflowBundlePath') },
      taskQueue,
      shutdownGraceMs: 1_000,
    });
    running = worker.run();
  }
  const start = async (input: CompleteOrderInput) => {
    const { workflowType, options: startOptions } = completeOrderStart(input, taskQueue);
    return client.workflow.start(workflowType, startOptions);
  };
  return {
    sandbox,
    client,
    taskQueue,
    start,
    async seedAndStart(seed = {}, settings = FAST_SETTINGS) {
      const seeded = sandbox.state.seedOrder(seed);
      const handle = await start({ orderId: seeded.orderId, runnerId: seeded.runnerId, settings });
      return { seeded, handle };
    },
    async close() {
      worker?.shutdown();
      await running;
      await nativeConnection?.close();
      await connection.close();
      await sandbox.close();
    },
  };
}

/**
 * The saga's progress once `ready` holds for it, read through the progress query with
 * backoff (a condition on the saga's own state, not a guess at timing). Throws when the
 * saga ended first.
 */
export async function progressWhen(
  handle: WorkflowHandle,
  ready: (progress: SagaProgress) => boolean,
): Promise<SagaProgress> {
  for (let waitMs = 20; ; waitMs = Math.min(waitMs * 2, 500)) {
    const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
    if (ready(progress)) return progress;
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(progress.status)) {
      throw new Error(`saga ended ${progress.status} before the awaited state`);
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** The saga's progress once it parked for an operator. */
export function parkedProgress(handle: WorkflowHandle): Promise<SagaProgress> {
  return progressWhen(handle, (p) => p.status === 'NEEDS_OPERATOR');
}

/**
 * The environment of a worker process (sandbox/worker-process.ts) for this harness: its
 * server (the shared one unless `address` is given), its task queue, its sandbox services.
 */
export function workerEnv(h: Harness, extra: Record<string, string> = {}, address?: string) {
  return {
    TEMPORAL_ADDRESS: address ?? inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    ORDER_SERVICE_URL: h.sandbox.urls.order,
    USER_SERVICE_URL: h.sandbox.urls.user,
    PAYMENT_SERVICE_URL: h.sandbox.urls.payment,
    ...extra,
  };
}

/** The failure a saga ended with: its stable type and message. */
export async function failureOf(
  handle: WorkflowHandle,
): Promise<{ type: string; message: string }> {
  try {
    await handle.result();
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
      return { type: error.cause.type ?? '', message: error.cause.message };
    }
    throw error;
  }
  throw new Error('expected the saga to fail, but it completed');
}

/**
 * Registers the hooks of a test file that shares one harness: started before all tests,
 * faults cleared after each, closed after all. With `api`, the API handlers' environment
 * points at the harness (server, task queue) for the file and is restored afterwards.
 * Returns a view that reads the started harness.
 */
export function useHarness(options: HarnessOptions & { api?: boolean } = {}): Harness {
  let started: Harness | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    started = await startHarness(options);
    if (!options.api) return;
    const vars = {
      TEMPORAL_ADDRESS: options.address ?? inject('temporalAddress'),
      TEMPORAL_NAMESPACE: options.namespace ?? inject('temporalNamespace'),
      TEMPORAL_TASK_QUEUE: started.taskQueue,
    };
    for (const key of Object.keys(vars)) saved[key] = process.env[key];
    Object.assign(process.env, vars);
  });
  afterEach(() => {
    started?.sandbox.faults.clear();
    if (started) started.sandbox.state.holdQueue = false;
    started?.sandbox.state.loseHeld();
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error('harness used before beforeAll started it');
      return started[key as keyof Harness];
    },
  });
}
