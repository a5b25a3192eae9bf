/**
 * A saga worker of its own (own task queue) that reaches the sandbox services through
 * gates (test/support/gate.ts), so a test can hold one saga's request mid-flight. Its
 * HTTP timeout is long: a held request is still the same attempt when the gate opens.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { completeOrderStart } from '../../common/start';
import type { CompleteOrderInput } from '../../common/workflow-safe/saga-contract';
import { createSagaWorker } from '../../worker/create-worker';
import type { Gate } from './gate';
import { FAST_SETTINGS, type Harness } from './harness';

/** Saga settings whose activity timeout outlasts any hold a test makes. */
export const HELD_SETTINGS = { ...FAST_SETTINGS, activityTimeoutMs: 60_000 };

export interface GatedWorker {
  /** Starts a saga on this worker's task queue. */
  start(input: CompleteOrderInput): Promise<WorkflowHandle>;
  close(): Promise<void>;
}

export async function startGatedWorker(
  h: Harness,
  gates: Partial<Record<'order' | 'user' | 'payment', Gate>>,
): Promise<GatedWorker> {
  const taskQueue = `gated-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await createSagaWorker({
    connection,
    namespace: inject('temporalNamespace'),
    services: {
      order: gates.order?.url ?? h.sandbox.urls.order,
      user: gates.user?.url ?? h.sandbox.urls.user,
      payment: gates.payment?.url ?? h.sandbox.urls.payment,
    },
    httpTimeoutMs: 55_000,
    workflows: { bundlePath: inject('workflowBundlePath') },
    taskQueue,
    shutdownGraceMs: 1_000,
  });
  const running = worker.run();
  return {
    async start(input) {
      const { workflowType, options } = completeOrderStart(input, taskQueue);
      return h.client.workflow.start(workflowType, options);
    },
    async close() {
      // Gates first: a request still held fails at once instead of holding up the shutdown.
      for (const gate of Object.values(gates)) await gate?.close();
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
