import { describe, expect, it } from 'vitest';
import { ACTION_SCENARIOS, type ActionsScenario, measureScenario } from '../bench/actions';
import { nextIntervalMs, type ProportionalBackoff } from '../worker/workflows/wait';
import { useTimeSkippingWorker } from './support/time-skipping';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

function scenario(name: string): ActionsScenario {
  const found = ACTION_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

/** How many sleeps a wait of `windowMs` takes when nothing turns up. */
function sleepsOver(options: ProportionalBackoff): number {
  let waited = 0;
  let interval = options.initialIntervalMs;
  let sleeps = 0;
  while (waited < options.windowMs) {
    waited += Math.min(interval, options.windowMs - waited);
    interval = nextIntervalMs(options, waited);
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

  it('sleeps the first interval plus the fraction of the time already waited', () => {
    const resend = { initialIntervalMs: 1_000, delayFraction: 0.5, windowMs: DAY };
    expect(nextIntervalMs(resend, 0)).toBe(1_000);
    expect(nextIntervalMs(resend, HOUR)).toBe(1_000 + HOUR / 2);
  });
});

/**
 * What a day of waiting costs in Temporal Cloud Actions, counted from the saga's real
 * history on the time-skipping server (the bench's scenarios). A return to polling at a
 * constant rate (a fixed cap: ~600 Actions for the day) fails here.
 */
describe('CompleteOrderWorkflow: Temporal Cloud Actions of a day-long wait', () => {
  const ts = useTimeSkippingWorker('actions');

  it('spends at most 40 Actions polling for a release that settles at the end of the 24 h window', async () => {
    const hour = await measureScenario(
      ts.env,
      ts.sandbox,
      ts.taskQueue,
      scenario('release settles after 1 h'),
    );
    const day = await measureScenario(
      ts.env,
      ts.sandbox,
      ts.taskQueue,
      scenario('release settles after 23h59m'),
    );
    expect(day.pollActions).toBeLessThanOrEqual(40);
    // 23 more hours of waiting: a few more doublings, not 23 hours of checks.
    expect(day.pollActions - hour.pollActions).toBeLessThanOrEqual(12);
    expect(day.claimActions).toBe(2);
    expect(ts.sandbox.state.entries('release-request', day.orderId)).toHaveLength(1);
    expect(ts.sandbox.state.entries('transfer', day.orderId)).toHaveLength(1);
  });

  it('spends at most 40 Actions polling for a runner who onboards at the end of the 24 h window', async () => {
    const day = await measureScenario(
      ts.env,
      ts.sandbox,
      ts.taskQueue,
      scenario('runner onboards after 23h59m'),
    );
    expect(day.pollActions).toBeLessThanOrEqual(40);
    expect(ts.sandbox.state.entries('transfer', day.orderId)).toHaveLength(1);
  });
});
