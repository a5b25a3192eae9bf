/**
 * Tables of the capacity sections (cpu, inflight, sizing, cost) and the inputs of the cost
 * section. Figures persist in reports/capacity.json, section by section, so
 * `npm run bench -- cost` computes from the latest measured figures of every section.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuResult, InflightResult, SizingResult } from './capacity';
import { type CostInputs, type CostRow, costTable, PRICES } from './cost';
import { show } from './stats';

const ROOT = join(import.meta.dirname, '..');
const REPORTS = join(ROOT, 'reports');
const CAPACITY_JSON = join(REPORTS, 'capacity.json');

/** The share of a task's CPU a task runs at in steady state: the stack's CPU scaling target. */
export const CPU_TARGET = 0.6;

const table = (header: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

export interface CapacityReport {
  cpu?: CpuResult & { at: string };
  inflight?: InflightResult & { at: string };
  sizing?: SizingResult & { at: string };
  /** The actions section's happy path (bench/actions.ts): what a saga costs in Actions. */
  actions?: { actionsPerSaga: number; historyBytesPerSaga: number; at: string };
}

export function readCapacity(): CapacityReport {
  return existsSync(CAPACITY_JSON) ? JSON.parse(readFileSync(CAPACITY_JSON, 'utf8')) : {};
}

export function saveCapacity(update: CapacityReport): void {
  mkdirSync(REPORTS, { recursive: true });
  const merged = { ...readCapacity(), ...update };
  writeFileSync(CAPACITY_JSON, `${JSON.stringify(merged, null, 2)}\n`);
}

export function printCpu(cpu: CpuResult): void {
  console.log(
    `\nWorker CPU per completed saga: ${cpu.n} started at once, ${cpu.runs} runs alternating, vs a floor of the same shape (${cpu.shape.floorWorkflows} workflows, ${cpu.shape.floorActivities} no-op activities; the saga ran ${cpu.shape.sagaActivities})`,
  );
  const row = (name: string, f: CpuResult['saga']) => [
    name,
    show(f.workerMsPerSaga, 2),
    show(f.serverMsPerSaga, 2),
    show(f.workerCores, 2),
    show(f.serverCores, 2),
    show(f.benchCores, 2),
    show(f.perSecond, 1),
  ];
  console.log(
    table(
      [
        'workflow',
        'worker CPU-ms/saga',
        'server CPU-ms/saga',
        'worker cores',
        'server cores',
        'client+sandbox cores',
        'sagas/s',
      ],
      [row('CompleteOrderWorkflow', cpu.saga), row('floor (no-op, same shape)', cpu.floor)],
    ),
  );
  console.log(`ratio: ${cpu.ratio.toFixed(2)} (target <= 1.3)`);
  console.log(
    `worker I/O per saga: ${show(cpu.saga.ioBytesPerSaga, 0)} bytes; worker log per saga: ${show(cpu.saga.logBytesPerSaga, 0)} bytes`,
  );
  if (cpu.happyPath)
    console.log(
      `one happy path counted: ${cpu.happyPath.workflows} histories, ${cpu.happyPath.actions} actions, ${cpu.happyPath.historyBytes} bytes`,
    );
}

export function printInflight(inflight: InflightResult): void {
  console.log(
    `\nMemory per saga in flight: worker RSS (MiB) with ${inflight.n} sagas waiting, cache holding all of them or a quarter`,
  );
  const rows = inflight.rows.flatMap((r) => [
    [
      r.kind,
      r.full.cache,
      r.full.idleMiB.toFixed(0),
      r.full.loadedMiB.toFixed(0),
      r.full.perSagaKiB.toFixed(0),
    ],
    [
      r.kind,
      r.evicted.cache,
      r.evicted.idleMiB.toFixed(0),
      r.evicted.loadedMiB.toFixed(0),
      r.evicted.perSagaKiB.toFixed(0),
    ],
  ]);
  console.log(table(['wait', 'cache', 'idle', 'loaded', 'per saga (KiB)'], rows));
  for (const r of inflight.rows)
    console.log(
      `${r.kind}: ${r.perCachedKiB.toFixed(0)} KiB per cached saga, ${r.perEvictedKiB.toFixed(0)} KiB per evicted saga`,
    );
}

/** Sagas per second a task of `vcpu` sustains at the CPU target, from the CPU figure. */
export function sizingRule(cpuMsPerSaga: number, vcpu: number): number {
  return (1000 * vcpu * CPU_TARGET) / cpuMsPerSaga;
}

export function printSizing(sizing: SizingResult, cpuMsPerSaga: number): void {
  console.log(
    `\nSizing: worker pinned to core 1 (quota below 1 vCPU), server on core 0; open-loop starts, ${sizing.stepSeconds} s a step; p99 schedule-to-start from ${sizing.sample} histories a step`,
  );
  const rows = sizing.rows.flatMap((r) =>
    r.steps.map((s) => [
      r.vcpu,
      s.rate,
      `${s.completed}/${s.started}`,
      s.wftP99.toFixed(0),
      s.activityP99.toFixed(0),
      s.workerCores.toFixed(2),
      s.serverCores.toFixed(2),
      s.kept ? 'yes' : 'no',
    ]),
  );
  console.log(
    table(
      [
        'vCPU',
        'starts/s',
        'done',
        'WFT s2s p99 (ms)',
        'activity s2s p99 (ms)',
        'worker cores',
        'server cores',
        'kept up',
      ],
      rows,
    ),
  );
  console.log(
    table(
      ['task vCPU', 'rule: sagas/s at 60% CPU', 'at 100% CPU', 'measured: highest rate kept up'],
      sizing.rows.map((r) => [
        r.vcpu,
        sizingRule(cpuMsPerSaga, r.vcpu).toFixed(1),
        r.predicted.toFixed(1),
        r.quota ? r.sustained : 'quota not available',
      ]),
    ),
  );
}

interface StackWorker {
  cpu: number;
  memoryMiB: number;
  minTasks: number;
}

function stackWorker(): { worker: StackWorker; natGateways: number } {
  const dev = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context.environments.dev;
  return { worker: dev.worker, natGateways: dev.network.natGateways ?? 0 };
}

/** Lambda trigger duration (ms): the bench's handler p50 at concurrency 1, when present. */
function triggerMs(): number | undefined {
  const path = join(REPORTS, 'bench.json');
  if (!existsSync(path)) return undefined;
  const trigger = JSON.parse(readFileSync(path, 'utf8')).trigger;
  const one = Array.isArray(trigger)
    ? trigger.find((t: { concurrency: number }) => t.concurrency === 1)
    : undefined;
  return one?.handler?.p50?.median;
}

/**
 * The cost inputs from the latest figures; every figure not measured is named in
 * `assumed`, so the table says which of its inputs are placeholders.
 */
export function costInputs(report: CapacityReport): { inputs: CostInputs; assumed: string[] } {
  const assumed: string[] = [];
  const { worker, natGateways } = stackWorker();
  const vcpu = worker.cpu / 1024;
  const measuredActions = report.actions;
  const happy = report.cpu?.happyPath;
  let actionsSource = `actions section, happy path (${measuredActions?.at ?? ''})`;
  let actionsPerSaga = measuredActions?.actionsPerSaga;
  let historyBytesPerSaga = measuredActions?.historyBytesPerSaga;
  if (actionsPerSaga === undefined || historyBytesPerSaga === undefined) {
    actionsSource = happy
      ? 'PLACEHOLDER: quick count of one happy-path saga + claim (cpu section)'
      : 'PLACEHOLDER: 15 actions / 12 KB, hand count of test/histories/completed.json';
    actionsPerSaga = happy?.actions ?? 15;
    historyBytesPerSaga = happy?.historyBytes ?? 12_000;
    assumed.push('actions and history bytes per saga');
  }
  const cpuMs = report.cpu?.saga.workerMsPerSaga.median;
  if (cpuMs === undefined) assumed.push('worker CPU per saga (25 ms)');
  const perTaskMeasured = report.sizing?.rows.find((r) => r.vcpu === vcpu)?.sustained;
  const rule = sizingRule(cpuMs ?? 25, vcpu);
  const trigger = triggerMs();
  if (trigger === undefined) assumed.push('trigger Lambda duration (50 ms)');
  assumed.push(
    'completion polls per saga (2), completion Lambda = trigger duration, backlog Lambda 300 ms',
    'open time per saga 5 s (happy path; sagas that wait longer cost more active storage)',
    'namespace retention 30 days (Temporal Cloud default; the namespace is not in this repo)',
    'API access log 400 B + Lambda log 600 B per request',
  );
  const polls = 2;
  const workerLog = report.cpu?.saga.logBytesPerSaga.median ?? 3_000;
  return {
    assumed,
    inputs: {
      actionsPerSaga,
      historyBytesPerSaga,
      actionsSource,
      openSecondsPerSaga: 5,
      retentionDays: 30,
      completionPollsPerSaga: polls,
      triggerLambdaMs: trigger ?? 50,
      completionLambdaMs: trigger ?? 50,
      lambdaMemoryMiB: 512,
      backlogLambdaMs: 300,
      backlogMemoryMiB: 256,
      // The rule, not the measured maximum: it keeps the scaling target's headroom.
      sagasPerSecondPerTask: Math.min(rule, perTaskMeasured ?? rule),
      task: { vcpu, memoryGiB: worker.memoryMiB / 1024, minTasks: worker.minTasks },
      natGateways,
      natBytesPerSaga: report.cpu?.saga.ioBytesPerSaga.median ?? 50_000,
      logBytesPerSaga: workerLog + (1 + polls) * (400 + 600),
    },
  };
}

export function printCost(rows: CostRow[], inputs: CostInputs, assumed: string[]): void {
  console.log('\nCost per 1,000 sagas (USD), steady rate for a month, us-east-1 list prices');
  const items = Object.keys(rows[0]?.per1000 ?? {});
  console.log(
    table(
      ['item', ...rows.map((r) => `${r.ordersPerMinute}/min (${r.tasks} tasks)`)],
      [
        ...items.map((k) => [k, ...rows.map((r) => (r.per1000[k] ?? 0).toFixed(4))]),
        ['total per 1,000 sagas', ...rows.map((r) => r.total.toFixed(3))],
        ['total per month', ...rows.map((r) => r.monthly.toFixed(0))],
      ],
    ),
  );
  console.log(`inputs: ${JSON.stringify(inputs)}`);
  console.log(`assumed (not measured): ${assumed.join('; ')}`);
  console.log('prices (read 2026-11-26):');
  for (const [name, p] of Object.entries(PRICES)) console.log(`  ${name}: ${p.source}`);
}

export function costSection(report: CapacityReport) {
  const { inputs, assumed } = costInputs(report);
  const rows = costTable(inputs);
  return { inputs, assumed, rows };
}
