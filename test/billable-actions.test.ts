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
  it('counts the happy path: start, the patch marker and ten activities; no polls', () => {
    const count = countActions(recorded('v2-completed'));
    expect(count.byKind).toEqual({ workflowStarted: 1, activityScheduled: 10, markersRecorded: 1 });
    expect(count).toMatchObject({ actions: 12, pollActions: 0, events: 72 });
  });

  it('bills the SagaState upserts and the operator update, not the TemporalChangeVersion upsert', () => {
    const count = countActions(recorded('v2-operator-resend'));
    expect(count.byKind).toEqual({
      workflowStarted: 1,
      markersRecorded: 1,
      searchAttributesUpserted: 2,
      activityScheduled: 16,
      timerStarted: 3,
      updateAccepted: 1,
    });
    expect(count.actions).toBe(24);
  });

  it('counts the timers and the check each one wakes as polls', () => {
    // Two 503s: two backoff timers, each waking the re-read of the order (the payment is
    // read by the task that follows, not by the one the timer woke).
    const count = countActions(recorded('v2-release-not-queued-then-sent'));
    expect(count.byKind.timerStarted).toBe(2);
    expect(count.pollActions).toBe(2 + 2);
  });

  it('bills every activity attempt after the first', () => {
    const history = recorded('v2-completed');
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    if (!started?.activityTaskStartedEventAttributes) throw new Error('no activity started');
    started.activityTaskStartedEventAttributes.attempt = 3;
    expect(countActions(history)).toMatchObject({ actions: 14, byKind: { activityRetried: 2 } });
  });

  it('gives the stored size of the history', () => {
    const history = recorded('v2-completed');
    const bytes = historyBytes(history);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(JSON.stringify(history).length);
  });
});
