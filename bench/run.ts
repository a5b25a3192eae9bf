/**
 * `npm run bench`: trigger latency, saga throughput, Lambda cold start and worker memory,
 * each next to its floor or ceiling measured in the same run on the same machine. Prints
 * tables and writes reports/bench.json. Not part of the tests: figures, not verdicts.
 * `npm run bench -- cold memory` runs only the named sections; `actions` counts Temporal Cloud
 * Actions per saga on the time-skipping server; `cpu inflight sizing cost` are the capacity
 * sections (bench/capacity.ts, bench/cost.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSandbox } from '../sandbox';
import { startDevServer } from '../sandbox/temporal-server';
import { type ActionsRow, actionsSection } from './actions';
import { cpuSection, inflightSection, sizingSection } from './capacity';
import * as capacity from './capacity-report';
import { coldStartSection, memorySection, RUNS, sagaSection, triggerSection } from './sections';
import { type Figure, show } from './stats';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const ratio = (a: Figure, b: Figure) => (a.median / b.median).toFixed(2);
/** The worker task's memory as the stack gives it (cdk.json, environment dev). */
const TASK_MEMORY_MIB: number = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8'),
).context.environments.dev.worker.memoryMiB;
/** The worker's V8 heap limit in the stack: half the task memory (lib/constructs/worker-service.ts). */
const WORKER_HEAP_MIB = TASK_MEMORY_MIB / 2;
const table = (header: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function printTrigger(trigger: Awaited<ReturnType<typeof triggerSection>>) {
  console.log(
    '\nTrigger: POST /triggerCompleteOrderWorkflow through the handler vs a bare client.workflow.start (ms, req/s)',
  );
  const rows = trigger.map(({ concurrency: c, handler: h, floor: f }) => [
    c,
    show(h.p50),
    show(h.p95),
    show(h.p99),
    show(h.rps, 0),
    show(f.p50),
    show(f.p95),
    show(f.p99),
    show(f.rps, 0),
    `${ratio(h.p50, f.p50)} / ${ratio(h.p95, f.p95)} / ${ratio(h.p99, f.p99)}`,
  ]);
  console.log(
    table(
      [
        'concurrency',
        'handler p50',
        'p95',
        'p99',
        'req/s',
        'floor p50',
        'p95',
        'p99',
        'req/s',
        'ratio p50 / p95 / p99',
      ],
      rows,
    ),
  );
}

function printSaga(saga: Awaited<ReturnType<typeof sagaSection>>) {
  console.log(
    `\nSaga: ${saga.n} sagas started at once, one worker, vs ${saga.n} no-op workflows of the same shape (bench/floor-workflow.ts)`,
  );
  console.log(
    table(
      ['workflow', 'completed/s', 'e2e p50 (ms)', 'e2e p99 (ms)'],
      [
        [
          'CompleteOrderWorkflow',
          show(saga.saga.perSecond),
          show(saga.saga.p50, 0),
          show(saga.saga.p99, 0),
        ],
        [
          'no-op ceiling (same shape)',
          show(saga.ceiling.perSecond),
          show(saga.ceiling.p50, 0),
          show(saga.ceiling.p99, 0),
        ],
      ],
    ),
  );
  console.log(
    `throughput ratio: ${ratio(saga.saga.perSecond, saga.ceiling.perSecond)} (target >= 0.8)`,
  );
}

function printCold(cold: Awaited<ReturnType<typeof coldStartSection>>) {
  console.log(
    '\nCold start: bundles built as the CDK builds them; a fresh node process imports one and handles one request (ms)',
  );
  const rows = cold.map((c) => [
    c.name,
    (c.bytes / 1024).toFixed(0),
    (c.gzip / 1024).toFixed(0),
    c.loadsTemporal ? 'yes' : 'no',
    c.ms ? show(c.ms, 0) : '-',
  ]);
  console.log(
    table(['bundle', 'size (KiB)', 'gzip (KiB)', 'loads @temporalio', 'first request (ms)'], rows),
  );
}

function printMemory(memory: Awaited<ReturnType<typeof memorySection>>) {
  console.log(
    `\nMemory: worker process RSS (MiB), MAX_CACHED_WORKFLOWS and heap limit as in the stack; task memory in the stack: ${TASK_MEMORY_MIB} MiB`,
  );
  const share = `${((memory.loaded / TASK_MEMORY_MIB) * 100).toFixed(0)}%`;
  console.log(
    table(
      ['idle', `${memory.n} sagas in flight`, 'per saga in flight (KiB)', 'share of task memory'],
      [[memory.idle.toFixed(0), memory.loaded.toFixed(0), memory.perWorkflowKiB.toFixed(0), share]],
    ),
  );
}

/** 4h 2m, 3m 20s, 850 ms: a wait's length at a glance. */
function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1_000) return `${ms.toFixed(0)} ms`;
  const s = Math.round(ms / 1_000);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s} s`;
}

function printActions(rows: ActionsRow[]) {
  console.log(
    '\nTemporal Cloud Actions per saga, counted from the histories of the saga and its release claim (time-skipping server)',
  );
  console.log(
    table(
      [
        'scenario',
        'actions (saga + claim)',
        'of which polls',
        'history events',
        'history bytes',
        'seen after',
      ],
      rows.map((r) => [
        r.scenario,
        `${r.actions} (${r.sagaActions} + ${r.claimActions})`,
        r.pollActions,
        r.events,
        r.historyBytes,
        duration(r.detectedAfterMs),
      ]),
    ),
  );
}

async function main() {
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  const server = await startDevServer({ ignoreExisting: true });
  const sandbox = await startSandbox();
  sandbox.state.settleDelayMs = 0;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'bench-unpolled',
    AUTH_MODE: 'none',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  Object.assign(process.env, env);
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(`machine: ${JSON.stringify(machine)}; each figure: median of ${RUNS} runs (min–max)`);
  const results: Record<string, unknown> = { machine };
  if (wanted('trigger')) {
    const trigger = await triggerSection(client);
    results.trigger = trigger;
    printTrigger(trigger);
  }
  if (wanted('saga')) {
    const saga = await sagaSection(client, server.address, sandbox);
    results.saga = saga;
    printSaga(saga);
  }
  if (wanted('cold')) {
    const cold = await coldStartSection(mkdtempSync(join(tmpdir(), 'bench-bundles-')), env);
    results.cold = cold;
    printCold(cold);
  }
  if (wanted('memory')) {
    const memory = await memorySection(client, server.address, sandbox, WORKER_HEAP_MIB);
    results.memory = memory;
    printMemory(memory);
  }
  if (wanted('actions')) {
    const bundlePath = join(import.meta.dirname, '..', 'dist', 'worker', 'workflow-bundle.js');
    const actions = await actionsSection(sandbox, bundlePath);
    results.actions = actions;
    printActions(actions);
    const happy = actions.find((row) => row.scenario === 'happy path');
    if (happy) {
      capacity.saveCapacity({
        actions: {
          actionsPerSaga: happy.actions,
          historyBytesPerSaga: happy.historyBytes,
          at: new Date().toISOString(),
        },
      });
    }
  }
  // Capacity (issue 12): `npm run bench -- cpu inflight sizing cost`; BENCH_QUICK=1 for small counts.
  const quick = process.env.BENCH_QUICK === '1';
  const at = new Date().toISOString();
  const cap = { client, address: server.address, sandbox, heapMiB: WORKER_HEAP_MIB };
  if (wanted('cpu')) {
    const cpu = await cpuSection(cap, quick ? 100 : 300, quick ? 2 : 3);
    capacity.saveCapacity({ cpu: { ...cpu, at } });
    results.cpu = cpu;
    capacity.printCpu(cpu);
  }
  if (wanted('inflight')) {
    const inflight = await inflightSection(cap, quick ? 100 : 500);
    capacity.saveCapacity({ inflight: { ...inflight, at } });
    results.inflight = inflight;
    capacity.printInflight(inflight);
  }
  if (wanted('sizing')) {
    const cpuMsPerSaga = capacity.readCapacity().cpu?.saga.workerMsPerSaga.median ?? 25;
    const sizing = await sizingSection(cap, { cpuMsPerSaga, stepSeconds: quick ? 15 : 30 });
    capacity.saveCapacity({ sizing: { ...sizing, at } });
    results.sizing = sizing;
    capacity.printSizing(sizing, cpuMsPerSaga);
  }
  if (wanted('cost')) {
    const cost = capacity.costSection(capacity.readCapacity());
    results.cost = cost;
    capacity.printCost(cost.rows, cost.inputs, cost.assumed);
  }
  // A run of some sections keeps the other sections' last figures (the cost section reads
  // the trigger's from here).
  const out = join(import.meta.dirname, '..', 'reports');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'bench.json');
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(file, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
  console.log('\nwritten: reports/bench.json');
  await connection.close();
  await sandbox.close();
  await server.teardown();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
