import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACTION_SCENARIOS, type ActionsScenario, measureScenario } from '../bench/actions';
import { type Sandbox, startSandbox } from '../sandbox';
import { startTimeSkippingServer } from '../sandbox/temporal-server';
import { createSagaWorker } from '../worker/create-worker';
import { nextIntervalMs, type WaitOptions } from '../worker/workflows/wait';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

function scenario(name: string): ActionsScenario {
  const found = ACTION_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

/** How many sleeps a wait of `windowMs` takes when nothing turns up. */
function sleepsOver(options: WaitOptions): number {
  let waited = 0;
  let interval = options.initialIntervalMs;
  let sleeps = 0;
  while (waited < options.windowMs) {
    waited += Math.min(interval, options.windowMs - waited);
    interval = nextIntervalMs(options, interval, waited);
    sleeps += 1;
  }
  return sleeps;
}

describe('pollWithBackoff: sleeps grow with the logarithm of the window', () => {
  it('takes a handful more sleeps for a week than for a day, not seven times as many', () => {
    const settlement = { initialIntervalMs: 500, delayFraction: 1 };
    const day = sleepsOver({ ...settlement, windowMs: DAY });
    const week = sleepsOver({ ...settlement, windowMs: 7 * DAY });
    expect(day).toBeLessThanOrEqual(20);
    expect(week - day).toBeLessThanOrEqual(4);
  });

  it('keeps the capped doubling of the v1 code as it was', () => {
    const capped = { initialIntervalMs: 500, maxIntervalMs: 5 * 60_000, windowMs: DAY };
    expect(nextIntervalMs(capped, 500, 500)).toBe(1_000);
    expect(nextIntervalMs(capped, 4 * 60_000, HOUR)).toBe(5 * 60_000);
    expect(sleepsOver(capped)).toBeGreaterThan(280);
  });
});

/**
 * What a day of waiting costs in Temporal Cloud Actions, counted from the saga's real
 * history on the time-skipping server (the bench's scenarios). A return to polling at a
 * constant rate (a fixed cap: ~600 Actions for the day) fails here.
 */
describe('CompleteOrderWorkflow: Temporal Cloud Actions of a day-long wait', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `actions-${randomUUID()}`;

  beforeAll(async () => {
    env = await startTimeSkippingServer();
    sandbox = await startSandbox();
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
    await sandbox?.close();
    await env?.teardown();
  });

  it('spends at most 40 Actions polling for a release that settles at the end of the 24 h window', async () => {
    const hour = await measureScenario(
      env,
      sandbox,
      taskQueue,
      scenario('release settles after 1 h'),
    );
    const day = await measureScenario(
      env,
      sandbox,
      taskQueue,
      scenario('release settles after 23h59m'),
    );
    expect(day.pollActions).toBeLessThanOrEqual(40);
    // 23 more hours of waiting: a few more doublings, not 23 hours of checks.
    expect(day.pollActions - hour.pollActions).toBeLessThanOrEqual(12);
    expect(day.claimActions).toBe(2);
    expect(sandbox.state.entries('release-request', day.orderId)).toHaveLength(1);
    expect(sandbox.state.entries('transfer', day.orderId)).toHaveLength(1);
  });

  it('spends at most 40 Actions polling for a runner who onboards at the end of the 24 h window', async () => {
    const day = await measureScenario(
      env,
      sandbox,
      taskQueue,
      scenario('runner onboards after 23h59m'),
    );
    expect(day.pollActions).toBeLessThanOrEqual(40);
    expect(sandbox.state.entries('transfer', day.orderId)).toHaveLength(1);
  });
});
