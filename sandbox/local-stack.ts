/**
 * `npm start`: the whole service on this machine. A Temporal dev server with its UI
 * (unless TEMPORAL_ADDRESS is set), the sandbox Order/User/Payment services with seeded
 * orders (unless the three *_SERVICE_URL are set), the worker as its own process, and the
 * API handlers behind a local HTTP server on PORT. Ctrl-C stops all of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { integerSetting } from '../common/env';
import { WORKER_HEALTH_PORT_VAR } from '../common/worker-health';
import { handler as completion } from '../functions/completion/handler';
import { handler as health } from '../functions/health/handler';
import { handler as trigger } from '../functions/trigger/handler';
import { type Sandbox, type SeededOrder, startSandbox } from './index';
import { startLocalApi } from './local-api';
import { startDevServer } from './temporal-server';

const env = process.env;
const WORKER_MAIN = join(import.meta.dirname, '..', 'worker', 'main.js');

/** A port number (0: any free one); empty means 0, as it always has here. */
function port(name: string, fallback: number): number {
  return integerSetting(name, env[name], { fallback, min: 0, max: 65_535 });
}

async function temporal(): Promise<{
  address: string;
  ui?: string;
  server?: TestWorkflowEnvironment;
}> {
  if (env.TEMPORAL_ADDRESS) return { address: env.TEMPORAL_ADDRESS };
  const uiPort = port('TEMPORAL_UI_PORT', 8233);
  const server = await startDevServer({ port: port('TEMPORAL_PORT', 7233), uiPort });
  return { address: server.address, ui: `http://127.0.0.1:${uiPort}`, server };
}

async function services(): Promise<{
  urls: Sandbox['urls'];
  sandbox?: Sandbox;
  seeded: SeededOrder[];
}> {
  const { ORDER_SERVICE_URL: order, USER_SERVICE_URL: user, PAYMENT_SERVICE_URL: payment } = env;
  if (order && user && payment) return { urls: { order, user, payment }, seeded: [] };
  const sandbox = await startSandbox();
  const seeded = [1, 2, 3].map(() => sandbox.state.seedOrder());
  seeded.push(sandbox.state.seedOrder({ connectAccountId: null }));
  return { urls: sandbox.urls, sandbox, seeded };
}

function startWorker(address: string, urls: Sandbox['urls']): ChildProcess {
  return spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...env,
      TEMPORAL_ADDRESS: address,
      ORDER_SERVICE_URL: urls.order,
      USER_SERVICE_URL: urls.user,
      PAYMENT_SERVICE_URL: urls.payment,
      [WORKER_HEALTH_PORT_VAR]: env.WORKER_HEALTH_PORT ?? '0',
      SHUTDOWN_GRACE_MS: env.SHUTDOWN_GRACE_MS ?? '5000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function banner(
  api: string,
  ui: string | undefined,
  address: string,
  seeded: SeededOrder[],
): string {
  const [order] = seeded;
  const lines = [
    'complete-order-saga is running locally',
    `  API          ${api}`,
    `  Temporal     ${address}${ui ? `  (UI ${ui})` : ''}`,
  ];
  if (order) {
    const body = JSON.stringify({ order_id: order.orderId, clerk_user_id: order.runnerId });
    lines.push(
      `  Seeded orders (ON_THE_WAY): ${seeded.map((s) => s.orderId).join(', ')} (the last one's runner has no Stripe Connect account)`,
      'Complete a seeded order:',
      `  curl -s -X POST ${api}/triggerCompleteOrderWorkflow -H 'content-type: application/json' -d '${body}'`,
      `  curl -s ${api}/orders/${order.orderId}/completion`,
    );
  }
  lines.push('Ctrl-C stops everything.');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const server = await temporal();
  const { urls, sandbox, seeded } = await services();
  const worker = startWorker(server.address, urls);
  env.TEMPORAL_ADDRESS = server.address;
  env.AUTH_MODE ??= 'none';
  const api = await startLocalApi({ trigger, health, completion }, port('PORT', 3000));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('stopping: API, worker, services, Temporal');
    await api.close();
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    await sandbox?.close();
    await server.server?.teardown();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  worker.on('exit', (code) => {
    if (!stopping) console.error(`worker exited unexpectedly (code ${code}); stopping`);
    void stop(1);
  });
  console.log(banner(api.url, server.ui, server.address, seeded));
}

main().catch((error: unknown) => {
  console.error(
    `local stack failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
