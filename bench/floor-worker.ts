/**
 * The floor's worker process (`node --import tsx bench/floor-worker.ts`): a bare SDK worker
 * running bench/floor-workflow.ts with no-op activities, so its process CPU time can be
 * read from /proc next to the real worker's. Env: TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE.
 * Prints `{"message":"floor worker ready"}` once it polls.
 */
import { join } from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { floorActivities } from './floor-activities';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'bench-floor';
  const connection = await NativeConnection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(import.meta.dirname, 'floor-workflow.ts'),
    logger: quiet,
  });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { code },
    activities: floorActivities,
    ...(process.env.MAX_CACHED_WORKFLOWS
      ? { maxCachedWorkflows: Number(process.env.MAX_CACHED_WORKFLOWS) }
      : {}),
  });
  process.stdout.write(`${JSON.stringify({ message: 'floor worker ready' })}\n`);
  await worker.run();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
