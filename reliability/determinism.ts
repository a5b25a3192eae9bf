/** Replays the recorded histories in the repo and the histories this suite produced. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { ReliabilityEnvironment } from './environment';
import type { ScenarioResult } from './helpers';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'dist', 'worker', 'workflow-bundle.js');

async function* recorded() {
  const dir = join(ROOT, 'test', 'histories');
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
    const history = historyFromJSON(JSON.parse(await readFile(join(dir, file), 'utf8')));
    const input =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const orderId = (JSON.parse(Buffer.from(input ?? []).toString()) as { orderId: string })
      .orderId;
    yield { workflowId: `complete-order-workflow-${orderId}`, history };
  }
}

export async function determinism(
  env: ReliabilityEnvironment,
  limit = 400,
): Promise<ScenarioResult> {
  const started = Date.now();
  const violations: string[] = [];
  let replayed = 0;
  const options = { workflowBundle: { codePath: BUNDLE } };
  for await (const result of Worker.runReplayHistories(options, recorded())) {
    replayed += 1;
    if (result.error) violations.push(`recorded ${result.workflowId}: ${result.error.message}`);
  }
  const produced = env.client.workflow.list({
    query: 'ExecutionStatus != "Running"',
    pageSize: 100,
  });
  let fromSuite = 0;
  for await (const result of Worker.runReplayHistories(
    options,
    produced.intoHistories({ concurrency: 4 }),
  )) {
    replayed += 1;
    fromSuite += 1;
    if (result.error) violations.push(`${result.workflowId}: ${result.error.message}`);
    if (fromSuite >= limit) break;
  }
  return {
    scenario: 'determinism: replay on the current workflow code',
    orders: fromSuite,
    faults: 'none',
    outcomes: `${replayed} histories replayed (${replayed - fromSuite} recorded in the repo, ${fromSuite} from this run)`,
    violations,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
