import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { countActions, historyBytes } from '../bench/billable-actions';

const recorded = (name: string) =>
  historyFromJSON(
    JSON.parse(readFileSync(join(import.meta.dirname, 'histories', `${name}.json`), 'utf8')),
  );

/**
 * The Action counter behind `npm run bench -- actions`, on histories recorded from real
 * sagas (test/histories). Expected figures were counted by hand from the event lists.
 */
describe('countActions: Temporal Cloud billable Actions in a recorded history', () => {
  it('counts the happy path: the start and ten activities; no polls', () => {
    const count = countActions(recorded('completed'));
    expect(count.byKind).toEqual({ workflowStarted: 1, activityScheduled: 10 });
    expect(count).toMatchObject({ actions: 11, pollActions: 0, events: 70 });
  });

  it('bills the SagaState upserts and the operator update', () => {
    const count = countActions(recorded('operator-resend'));
    expect(count.byKind).toMatchObject({
      workflowStarted: 1,
      searchAttributesUpserted: 2,
      updateAccepted: 1,
    });
    expect(count.byKind).not.toHaveProperty('markersRecorded');
    const kinds = Object.values(count.byKind).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(count.actions).toBe(kinds);
  });

  it('counts the timers and the check each one wakes as polls', () => {
    // Two 503s: two backoff timers, each waking the re-read of the order (the payment is
    // read by the task that follows, not by the one the timer woke); a settlement that was
    // not yet visible at the first read adds its own timer and check.
    const count = countActions(recorded('release-not-queued-then-sent'));
    const timers = count.byKind.timerStarted ?? 0;
    expect(timers).toBeGreaterThanOrEqual(2);
    expect(count.pollActions).toBe(2 * timers);
  });

  it('bills every activity attempt after the first', () => {
    const history = recorded('completed');
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    if (!started?.activityTaskStartedEventAttributes) throw new Error('no activity started');
    started.activityTaskStartedEventAttributes.attempt = 3;
    expect(countActions(history)).toMatchObject({ actions: 13, byKind: { activityRetried: 2 } });
  });

  it('gives the stored size of the history', () => {
    const history = recorded('completed');
    const bytes = historyBytes(history);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(JSON.stringify(history).length);
  });
});
