/**
 * Temporal Cloud Actions per saga, counted from real histories (bench/billable-actions.ts):
 * a saga and its payment's release claim, on the time-skipping server with the sandbox
 * services, for the happy path and for waits of a minute to a day. `npm run bench -- actions`.
 */

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { releaseClaimIdFor, WORKFLOW_TYPE, workflowIdFor } from '../common/workflow-safe/names';
import type { CompleteOrderInput } from '../common/workflow-safe/saga-contract';
import type { Sandbox } from '../sandbox';
import { startTimeSkippingServer } from '../sandbox/temporal-server';
import { createSagaWorker } from '../worker/create-worker';
import { countActions, historyBytes } from './billable-actions';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ActionsScenario {
  name: string;
  /**
   * What the saga waits for: nothing (the release settles at once), a queued release that
   * settles `afterMs` after it was queued, a runner who onboards `afterMs` after the start,
   * or a Payment Service that answers every release with 503 for `afterMs`.
   */
  wait: 'none' | 'settlement' | 'onboarding' | 'outage';
  afterMs: number;
}

/** The scenarios of issue 12 item 4; 23h59m is the end of the default 24 h windows. */
export const ACTION_SCENARIOS: readonly ActionsScenario[] = [
  { name: 'happy path', wait: 'none', afterMs: 0 },
  { name: 'release settles after 10 s', wait: 'settlement', afterMs: 10_000 },
  { name: 'release settles after 1 min', wait: 'settlement', afterMs: MINUTE },
  { name: 'release settles after 1 h', wait: 'settlement', afterMs: HOUR },
  { name: 'release settles after 23h59m', wait: 'settlement', afterMs: 24 * HOUR - MINUTE },
  { name: 'runner onboards after 23h59m', wait: 'onboarding', afterMs: 24 * HOUR - MINUTE },
  { name: 'release answered 503 for 1 h', wait: 'outage', afterMs: HOUR },
];

/** One scenario's cost; `actions` is the saga's plus its release claim's. */
export interface ActionsRow {
  scenario: string;
  /** The saga's order in the sandbox (its ledger shows what moved). */
  orderId: string;
  actions: number;
  sagaActions: number;
  claimActions: number;
  /** Timers and the checks they wake: what waiting cost. */
  pollActions: number;
  /** History events, saga and claim. */
  events: number;
  /** Stored history size (protobuf), saga and claim: what storage is billed on. */
  historyBytes: number;
  /** From the settlement (onboarding, end of the outage) to the saga's close, in workflow time. */
  detectedAfterMs: number | null;
}

async function closeTimeMs(handle: WorkflowHandle): Promise<number> {
  const { closeTime } = await handle.describe();
  if (!closeTime) throw new Error(`${handle.workflowId} is still running`);
  return closeTime.getTime();
}

/**
 * Runs one saga through `scenario` with a saga worker polling `taskQueue` (on `env`), and
 * counts the Actions in its history and in its release claim's.
 */
export async function measureScenario(
  env: TestWorkflowEnvironment,
  sandbox: Sandbox,
  taskQueue: string,
  scenario: ActionsScenario,
): Promise<ActionsRow> {
  const { state } = sandbox;
  const seeded = state.seedOrder(scenario.wait === 'onboarding' ? { connectAccountId: null } : {});
  const input: CompleteOrderInput = { orderId: seeded.orderId, runnerId: seeded.runnerId };
  state.holdQueue = scenario.wait === 'settlement';
  const held = scenario.wait === 'settlement' ? once(state, 'held') : undefined;
  if (scenario.wait === 'outage') {
    sandbox.faults.inject({ route: 'release', status: 503, times: Number.POSITIVE_INFINITY });
  }
  let letGoAt: number | null = null;
  try {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowIdFor(input.orderId),
      args: [input],
    });
    if (scenario.wait !== 'none') {
      // The release is queued (or the runner polled) in real time; the wait is skipped.
      await held;
      await env.sleep(scenario.afterMs);
      letGoAt = await env.currentTimeMs();
      if (scenario.wait === 'onboarding') {
        state.connectAccounts.set(seeded.runnerId, `acct_${randomUUID().slice(0, 8)}`);
      } else if (scenario.wait === 'outage') {
        sandbox.faults.clear();
      } else {
        state.holdQueue = false;
        state.settleHeld();
      }
    }
    await handle.result();
    const claim = env.client.workflow.getHandle(releaseClaimIdFor(seeded.paymentId));
    await claim.result();
    const [sagaHistory, claimHistory] = await Promise.all([
      handle.fetchHistory(),
      claim.fetchHistory(),
    ]);
    const saga = countActions(sagaHistory);
    const release = countActions(claimHistory);
    return {
      scenario: scenario.name,
      orderId: seeded.orderId,
      actions: saga.actions + release.actions,
      sagaActions: saga.actions,
      claimActions: release.actions,
      pollActions: saga.pollActions + release.pollActions,
      events: saga.events + release.events,
      historyBytes: historyBytes(sagaHistory) + historyBytes(claimHistory),
      detectedAfterMs: letGoAt === null ? null : (await closeTimeMs(handle)) - letGoAt,
    };
  } finally {
    sandbox.faults.clear();
    state.holdQueue = false;
    state.settleHeld();
  }
}

/** Every scenario on a fresh time-skipping server, one saga worker on the built bundle. */
export async function actionsSection(sandbox: Sandbox, bundlePath: string): Promise<ActionsRow[]> {
  const env = await startTimeSkippingServer();
  const settleDelayMs = sandbox.state.settleDelayMs;
  // The happy path settles before the first check: no timer from the sandbox's own delay.
  sandbox.state.settleDelayMs = 0;
  try {
    const taskQueue = `bench-actions-${randomUUID()}`;
    const worker = await createSagaWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services: sandbox.urls,
      httpTimeoutMs: 10_000,
      workflows: { bundlePath },
      taskQueue,
    });
    return await worker.runUntil(async () => {
      const rows: ActionsRow[] = [];
      for (const scenario of ACTION_SCENARIOS) {
        rows.push(await measureScenario(env, sandbox, taskQueue, scenario));
      }
      return rows;
    });
  } finally {
    sandbox.state.settleDelayMs = settleDelayMs;
    await env.teardown();
  }
}
