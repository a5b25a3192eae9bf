/**
 * Once per test run: one Temporal dev server for every workflow test (or the server at
 * TEMPORAL_ADDRESS), the time-skipping server's binary resolved before files run in
 * parallel, and the prebuilt workflow bundle located.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findTemporalBinary, TEMPORAL_TEST_SERVER } from '../../sandbox/temporal-binaries';
import { startDevServer } from '../../sandbox/temporal-server';

export default async function setup(project: TestProject) {
  const workflowBundlePath = join(
    import.meta.dirname,
    '..',
    '..',
    'dist',
    'worker',
    'workflow-bundle.js',
  );
  if (!existsSync(workflowBundlePath)) {
    throw new Error(`${workflowBundlePath} is missing: run 'npm run build' first (npm test does)`);
  }
  const testServer = findTemporalBinary(TEMPORAL_TEST_SERVER);
  if (testServer) process.env[TEMPORAL_TEST_SERVER.envVar] = testServer;
  const env = await startDevServer();
  project.provide('temporalAddress', env.address);
  project.provide('temporalNamespace', env.namespace ?? 'default');
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    await env.teardown();
  };
}
