/**
 * Records the histories that test/replay.test.ts replays. Run `npm run record-histories`
 * after a deliberate, versioned workflow change, and commit the new files next to the old
 * ones (old histories stay: running sagas were recorded with the old code).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAST_SETTINGS, type Harness, startHarness } from '../support/harness';

const OUT = join(import.meta.dirname, '..', 'histories');

describe('record histories', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ httpTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function record(name: string, handle: WorkflowHandle): Promise<void> {
    await handle.result().catch(() => undefined);
    const history = await handle.fetchHistory();
    await writeFile(join(OUT, `${name}.json`), `${historyToJSON(history)}\n`);
  }

  it('records each saga path', async () => {
    await record('v1-completed', (await h.seedAndStart()).handle);
    await record(
      'v1-already-completed',
      (await h.seedAndStart({ orderStatus: 'COMPLETED' })).handle,
    );
    await record('v1-order-cancelled', (await h.seedAndStart({ orderStatus: 'CANCELLED' })).handle);
    h.sandbox.faults.inject({ route: 'release', status: 400 });
    await record('v1-release-rejected-compensated', (await h.seedAndStart()).handle);
    h.sandbox.faults.inject({ route: 'release', status: 503 });
    await record('v1-release-not-queued-then-sent', (await h.seedAndStart()).handle);
    h.sandbox.faults.inject({ route: 'release', afterProcessing: true, drop: true });
    await record('v1-release-reply-lost-confirmed', (await h.seedAndStart()).handle);
    await record('v1-settlement-failed', (await h.seedAndStart({ settlementFails: true })).handle);
    const noAccount = { ...FAST_SETTINGS, connectAccountWaitMs: 1_000 };
    await record(
      'v1-connect-account-missing',
      (await h.seedAndStart({ connectAccountId: null }, noAccount)).handle,
    );
  });
});
