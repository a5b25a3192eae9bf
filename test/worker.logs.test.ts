import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { freePort } from '../sandbox/ports';
import { startDevServer } from '../sandbox/temporal-server';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import { type Harness, startHarness } from './support/harness';

function nonJson(lines: string[]): string[] {
  return lines.filter((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value !== 'object' || value === null;
    } catch {
      return true;
    }
  });
}

/**
 * CloudWatch queries and metric filters read `level` from JSON: a plain-text line is a
 * warning nobody sees. The SDK core's own logs (which it prints as coloured text unless
 * told otherwise) are the ones that appear after a server restart.
 */
describe('Worker process: every log line is JSON, through a Temporal server restart', () => {
  let server: TestWorkflowEnvironment;
  let h: Harness;
  let worker: WorkerProcess;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'worker-logs-'));
  const dbFilename = join(dir, 'temporal.db');

  const startServer = () => startDevServer({ port, dbFilename, ignoreExisting: true });

  beforeAll(async () => {
    port = await freePort();
    server = await startServer();
    h = await startHarness({ address: server.address, noWorker: true });
    worker = spawnWorker({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      ORDER_SERVICE_URL: h.sandbox.urls.order,
      USER_SERVICE_URL: h.sandbox.urls.user,
      PAYMENT_SERVICE_URL: h.sandbox.urls.payment,
      LOG_LEVEL: 'DEBUG',
      SHUTDOWN_GRACE_MS: '2000',
    });
    await waitHealthy(await worker.started);
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await h?.close();
    await server?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes only JSON lines to stdout and stderr, the core logs included', async () => {
    const before = await h.seedAndStart();
    expect(((await before.handle.result()) as CompleteOrderResult).outcome).toBe('COMPLETED');
    await server.teardown();
    server = await startServer();
    // The client reconnects to the restarted server; the saga proves the worker did too.
    const after = await h.seedAndStart();
    expect(((await after.handle.result()) as CompleteOrderResult).outcome).toBe('COMPLETED');
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    const stderrLines = worker.stderr().split('\n').filter(Boolean);
    expect(nonJson(worker.lines)).toEqual([]);
    expect(nonJson(stderrLines)).toEqual([]);
    const core = worker.lines
      .map((line) => JSON.parse(line) as { sdkComponent?: string; level?: string })
      .filter((entry) => entry.sdkComponent === 'core');
    expect(core.length).toBeGreaterThan(0);
    expect(worker.lines.join('\n')).not.toContain('\u001b[');
  });
});
