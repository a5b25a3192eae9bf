/** The four benchmark sections. Each returns rows for the printed table. */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

import { build } from 'esbuild';
import { completeOrderStart } from '../common/start';
import { API_ROUTES, routeKey } from '../functions/routes';
import type { Sandbox } from '../sandbox';
import { apiGatewayEvent, lambdaContext } from '../sandbox/api-gateway';
import { spawnWorker, waitHealthy } from '../sandbox/worker-process';
import { createSagaWorker } from '../worker/create-worker';
import { floorActivities } from './floor-activities';
import { closedLoop, type Figure, figure, percentile } from './stats';

const ROOT = join(import.meta.dirname, '..');
export const RUNS = 3;

const triggerEvent = (orderId: string) =>
  apiGatewayEvent(
    {
      method: 'POST',
      url: API_ROUTES.trigger.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order_id: orderId, runner_id: 'user_bench' }),
    },
    { routeKey: routeKey(API_ROUTES.trigger) },
  );

interface LoopFigures {
  p50: Figure;
  p95: Figure;
  p99: Figure;
  rps: Figure;
}

function figures(runs: Array<{ latencies: number[]; wallMs: number }>, total: number): LoopFigures {
  return {
    p50: figure(runs.map((x) => percentile(x.latencies, 50))),
    p95: figure(runs.map((x) => percentile(x.latencies, 95))),
    p99: figure(runs.map((x) => percentile(x.latencies, 99))),
    rps: figure(runs.map((x) => (total / x.wallMs) * 1000)),
  };
}

/** Runs `a` and `b` alternately, RUNS times each, so drift on the machine hits both alike. */
async function alternate(
  total: number,
  concurrency: number,
  a: () => Promise<void>,
  b: () => Promise<void>,
) {
  const runsA = [];
  const runsB = [];
  for (let r = 0; r < RUNS; r++) {
    runsA.push(await closedLoop(total, concurrency, a));
    runsB.push(await closedLoop(total, concurrency, b));
  }
  return [figures(runsA, total), figures(runsB, total)] as const;
}

/** POST /triggerCompleteOrderWorkflow through the handler, next to a bare start loop. */
export async function triggerSection(
  client: Client,
): Promise<Array<{ concurrency: number; handler: LoopFigures; floor: LoopFigures }>> {
  const { handler } = await import('../functions/trigger/handler');
  const viaHandler = async () => {
    const reply = await handler(triggerEvent(randomUUID()), lambdaContext('bench'));
    if (reply.statusCode !== 200)
      throw new Error(`trigger answered ${reply.statusCode}: ${reply.body}`);
  };
  const bare = async () => {
    const { workflowType, options } = completeOrderStart(
      { orderId: randomUUID(), runnerId: 'user_bench' },
      'bench-unpolled',
    );
    await client.workflow.start(workflowType, options);
  };
  await closedLoop(50, 8, viaHandler);
  await closedLoop(50, 8, bare);
  const results = [];
  for (const concurrency of [1, 8, 64]) {
    const total = concurrency === 1 ? 150 : 400;
    const [floor, handlerFigures] = await alternate(total, concurrency, bare, viaHandler);
    results.push({ concurrency, floor, handler: handlerFigures });
  }
  return results;
}

async function drive(n: number, start: () => Promise<{ result(): Promise<unknown> }>) {
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = performance.now();
      const handle = await start();
      await handle.result();
      return performance.now() - s;
    }),
  );
  const sortedLatencies = latencies.sort((a, b) => a - b);
  return {
    perSecond: (n / (performance.now() - t0)) * 1000,
    p50: percentile(sortedLatencies, 50),
    p99: percentile(sortedLatencies, 99),
  };
}

/** Sagas completed per second by one worker and their latency, next to no-op workflows. */
export async function sagaSection(client: Client, address: string, sandbox: Sandbox, n = 200) {
  const connection = await NativeConnection.connect({ address });
  const bundlePath = join(ROOT, 'dist', 'worker', 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(import.meta.dirname, 'floor-workflow.ts'),
    logger: quiet,
  });
  const sagaRuns: Array<{ perSecond: number; p50: number; p99: number }> = [];
  const noopRuns: Array<{ perSecond: number; p50: number; p99: number }> = [];
  // A worker runs once: each run gets new ones, with the same (default) settings.
  for (let r = 0; r < RUNS; r++) {
    const saga = await createSagaWorker({
      connection,
      namespace: 'default',
      services: sandbox.urls,
      httpTimeoutMs: 10_000,
      workflows: { bundlePath },
      taskQueue: 'bench-saga',
    });
    sagaRuns.push(
      await saga.runUntil(
        drive(n, () => {
          const seeded = sandbox.state.seedOrder();
          const { workflowType, options } = completeOrderStart(
            { orderId: seeded.orderId, runnerId: seeded.runnerId },
            'bench-saga',
          );
          return client.workflow.start(workflowType, options);
        }),
      ),
    );
    const noop = await Worker.create({
      connection,
      taskQueue: 'bench-noop',
      workflowBundle: { code },
      activities: floorActivities,
    });
    noopRuns.push(
      await noop.runUntil(
        drive(n, () =>
          client.workflow.start('FloorSagaWorkflow', {
            taskQueue: 'bench-noop',
            workflowId: `noop-${randomUUID()}`,
          }),
        ),
      ),
    );
  }
  await connection.close();
  const pick = (runs: typeof sagaRuns, key: 'perSecond' | 'p50' | 'p99') =>
    figure(runs.map((x) => x[key]));
  return {
    n,
    saga: {
      perSecond: pick(sagaRuns, 'perSecond'),
      p50: pick(sagaRuns, 'p50'),
      p99: pick(sagaRuns, 'p99'),
    },
    ceiling: {
      perSecond: pick(noopRuns, 'perSecond'),
      p50: pick(noopRuns, 'p50'),
      p99: pick(noopRuns, 'p99'),
    },
  };
}

async function bundle(entry: string, outfile: string) {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    metafile: true,
    external: ['@aws-sdk/*'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  const code = readFileSync(outfile);
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  return {
    bytes: code.length,
    gzip: gzipSync(code).length,
    loadsTemporal: inputs.some((i) => i.includes('@temporalio')),
  };
}

function coldStart(
  bundlePath: string,
  event: unknown,
  env: Record<string, string>,
): Promise<number> {
  const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(bundlePath)}); await m.handler(${JSON.stringify(event)}, { awsRequestId: 'cold', functionName: 'cold', getRemainingTimeInMillis: () => 10000 }); console.log(performance.now() - t0); process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(out.trim().split('\n').pop()))
        : reject(new Error(`cold start exited ${code}`)),
    );
  });
}

/** Lambda bundle sizes and the time from a fresh process to the first handled request. */
export async function coldStartSection(dir: string, env: Record<string, string>) {
  const entries = {
    health: 'functions/health/handler.ts',
    trigger: 'functions/trigger/handler.ts',
    completion: 'functions/completion/handler.ts',
    backlog: 'functions/backlog/handler.ts',
    'client only (floor)': 'bench/client-only.ts',
  } as const;
  const rows = [];
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = join(dir, `${name.split(' ')[0]}.mjs`);
    const size = await bundle(entry, outfile);
    let ms: Figure | undefined;
    if (name !== 'completion' && name !== 'backlog') {
      const event = name === 'health' ? { rawPath: '/health' } : triggerEvent(randomUUID());
      const runs = [];
      for (let r = 0; r < 5; r++)
        runs.push(
          await coldStart(outfile, name === 'trigger' ? triggerEvent(randomUUID()) : event, env),
        );
      ms = figure(runs);
    }
    rows.push({ name, ...size, ms });
  }
  return rows;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The worker process's resident memory idle and with `n` sagas in flight. */
export async function memorySection(
  client: Client,
  address: string,
  sandbox: Sandbox,
  heapMiB: number,
  n = 500,
) {
  const worker = spawnWorker({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: 'bench-memory',
    ORDER_SERVICE_URL: sandbox.urls.order,
    USER_SERVICE_URL: sandbox.urls.user,
    PAYMENT_SERVICE_URL: sandbox.urls.payment,
    NODE_OPTIONS: `--max-old-space-size=${heapMiB}`,
    ...(process.env.MAX_CACHED_WORKFLOWS
      ? { MAX_CACHED_WORKFLOWS: process.env.MAX_CACHED_WORKFLOWS }
      : {}),
  });
  await waitHealthy(await worker.started);
  const pid = worker.child.pid as number;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idle = rssMiB(pid);
  // Runners without a Connect account: each saga parks in its onboarding wait, cached.
  const seeded = Array.from({ length: n }, () =>
    sandbox.state.seedOrder({ connectAccountId: null }),
  );
  for (const s of seeded) {
    const { workflowType, options } = completeOrderStart(
      { orderId: s.orderId, runnerId: s.runnerId },
      'bench-memory',
    );
    await client.workflow.start(workflowType, options);
  }
  const ours = new Set(seeded.map((s) => s.orderId));
  const delivered = () =>
    sandbox.state
      .entries('status-change')
      .filter((e) => e.detail === 'DELIVERED' && ours.has(e.orderId)).length;
  let peak = idle;
  while (delivered() < n) {
    peak = Math.max(peak, rssMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const loaded = Math.max(peak, rssMiB(pid));
  worker.child.kill('SIGKILL');
  return { idle, loaded, perWorkflowKiB: ((loaded - idle) * 1024) / n, n };
}
