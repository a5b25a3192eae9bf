import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { workflowIdFor } from '../common/workflow-safe/names';

const HISTORIES = join(import.meta.dirname, 'histories');

type History = ReturnType<typeof historyFromJSON>;

/**
 * The saga checks that its workflow id derives from its order id, so replay must use the
 * original id. Histories are kept in the format the Temporal UI and CLI export (no id in
 * it), so the id is derived again from the recorded input.
 */
function workflowIdOf(history: History): string {
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error('history has no workflow input');
  const input = defaultPayloadConverter.fromPayload<{ orderId: string }>(payload);
  return workflowIdFor(input.orderId);
}

/**
 * Every recorded history must replay on the current workflow code. A change that would
 * break running sagas (reordered steps, a new activity call without versioning) fails here.
 */
describe('Workflow determinism: recorded histories replay on the current code', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories for the main saga paths', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(await readFile(join(HISTORIES, file), 'utf8')));
    const workflowId = workflowIdOf(history);
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        history,
        workflowId,
      ),
    ).resolves.toBeUndefined();
  });
});
