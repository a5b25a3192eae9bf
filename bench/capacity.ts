/**
 * Capacity sections of `npm run bench` (issue 12): worker CPU per saga against a floor of
 * the same shape, memory per saga in flight, and how many sagas per second one task of a
 * given size sustains. The worker always runs as in the stack (`dist/worker/main.js`,
 * LOG_LEVEL=INFO, heap = half the task memory) in its own process, so its CPU time and RSS
 * are its own.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type * as proto from '@temporalio/proto';
import { completeOrderStart } from '../common/start';
import { RELEASE_CLAIM_WORKFLOW_TYPE, WORKFLOW_ID_PREFIX } from '../common/workflow-safe/names';
import type { Sandbox } from '../sandbox';
import { spawnWorker, waitHealthy } from '../sandbox/worker-process';
import { countActions, historyBytes } from './billable-actions';
import { FLOOR_SHAPE } from './floor-workflow';
import {
  allCpus,
  cpuMs,
  devServerPid,
  ioBytes,
  limitCpu,
  pin,
  type ReadyProcess,
  rssMiB,
  spawnReady,
} from './proc';
import { type Figure, figure, percentile, sorted } from './stats';

// A CommonJS module whose named exports Node's ESM loader cannot see (bundles are fine).
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof proto;
type IHistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CapacityOptions {
  client: Client;
  address: string;
  sandbox: Sandbox;
  /** V8 heap of the worker as in the stack (half the task memory). */
  heapMiB: number;
}

/** The real worker process, ready once /health answers. */
async function sagaWorker(
  o: CapacityOptions,
  taskQueue: string,
  extra: Record<string, string> = {},
): Promise<ReadyProcess & { logBytes(): number }> {
  const worker = spawnWorker({
    TEMPORAL_ADDRESS: o.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ORDER_SERVICE_URL: o.sandbox.urls.order,
    USER_SERVICE_URL: o.sandbox.urls.user,
    PAYMENT_SERVICE_URL: o.sandbox.urls.payment,
    LOG_LEVEL: 'INFO',
    NODE_OPTIONS: `--max-old-space-size=${o.heapMiB}`,
    ...extra,
  });
  await waitHealthy(await worker.started);
  return {
    child: worker.child,
    pid: worker.child.pid as number,
    logBytes: () => worker.lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0),
    async stop() {
      worker.child.kill('SIGKILL');
      await worker.exited;
    },
  };
}

function floorWorker(o: CapacityOptions, taskQueue: string, extra: Record<string, string> = {}) {
  return spawnReady(
    ['--import', 'tsx', join(import.meta.dirname, 'floor-worker.ts')],
    {
      TEMPORAL_ADDRESS: o.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      NODE_OPTIONS: `--max-old-space-size=${o.heapMiB}`,
      ...extra,
    },
    'floor worker ready',
  );
}

function startSaga(o: CapacityOptions, taskQueue: string, seed = {}): Promise<WorkflowHandle> {
  const seeded = o.sandbox.state.seedOrder(seed);
  const { workflowType, options } = completeOrderStart(
    { orderId: seeded.orderId, runnerId: seeded.runnerId },
    taskQueue,
  );
  return o.client.workflow.start(workflowType, options);
}

function startFloor(o: CapacityOptions, taskQueue: string): Promise<WorkflowHandle> {
  return o.client.workflow.start('FloorSagaWorkflow', {
    taskQueue,
    workflowId: `floor-${randomUUID()}`,
  });
}

/** Starts `n` at once and waits for every result. */
async function batch(n: number, start: () => Promise<WorkflowHandle>): Promise<WorkflowHandle[]> {
  const handles = await Promise.all(Array.from({ length: n }, start));
  await Promise.all(handles.map((h) => h.result()));
  return handles;
}

async function countActivities(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  ).length;
}

/**
 * A quick count of one happy-path saga and its release claim: actions and protobuf bytes
 * of both histories. The cost section's placeholder when the actions section has not run.
 */
async function happyPathCount(client: Client, saga: WorkflowHandle) {
  const histories = [await saga.fetchHistory()];
  for await (const claim of client.workflow.list({
    query: `WorkflowType = '${RELEASE_CLAIM_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`,
    pageSize: 1,
  })) {
    histories.push(await client.workflow.getHandle(claim.workflowId).fetchHistory());
    break;
  }
  return {
    workflows: histories.length,
    actions: histories.reduce((sum, h) => sum + countActions(h).actions, 0),
    historyBytes: histories.reduce((sum, h) => sum + historyBytes(h), 0),
  };
}

interface CpuRun {
  workerMsPerSaga: number;
  serverMsPerSaga: number;
  /** Cores the server used on average during the run. */
  serverCores: number;
  workerCores: number;
  /** Cores this process (client + sandbox services) used. */
  benchCores: number;
  perSecond: number;
  /** The worker's socket/pipe/file I/O per saga: an upper bound of its network bytes. */
  ioBytesPerSaga: number;
  /** Bytes the worker logged per saga (stdout, as CloudWatch ingests them). */
  logBytesPerSaga: number;
}

async function measureCpu(
  n: number,
  worker: ReadyProcess & { logBytes?(): number },
  start: () => Promise<WorkflowHandle>,
): Promise<CpuRun> {
  const workerPid = worker.pid;
  const server = devServerPid();
  const io0 = ioBytes(workerPid);
  const log0 = worker.logBytes?.() ?? 0;
  const w0 = cpuMs(workerPid);
  const s0 = server ? cpuMs(server) : 0;
  const b0 = process.cpuUsage();
  const t0 = performance.now();
  await batch(n, start);
  const wall = performance.now() - t0;
  const workerMs = cpuMs(workerPid) - w0;
  const serverMs = server ? cpuMs(server) - s0 : Number.NaN;
  const bench = process.cpuUsage(b0);
  await sleep(500); // the last log lines
  return {
    workerMsPerSaga: workerMs / n,
    serverMsPerSaga: serverMs / n,
    serverCores: serverMs / wall,
    workerCores: workerMs / wall,
    ioBytesPerSaga: (ioBytes(workerPid) - io0) / n,
    logBytesPerSaga: ((worker.logBytes?.() ?? 0) - log0) / n,
    benchCores: (bench.user + bench.system) / 1000 / wall,
    perSecond: (n / wall) * 1000,
  };
}

const pick = (runs: CpuRun[], key: keyof CpuRun): Figure => figure(runs.map((r) => r[key]));

/**
 * Worker CPU-ms per completed happy-path saga next to the floor's (same shape, no-op), runs
 * alternating. `n` sagas are started at once per run, after a warm-up of `warmup`.
 */
export async function cpuSection(o: CapacityOptions, n = 200, runs = 3, warmup = 30) {
  const cache = { MAX_CACHED_WORKFLOWS: '200' };
  const saga = await sagaWorker(o, 'bench-cpu-saga', cache);
  const floor = await floorWorker(o, 'bench-cpu-floor', cache);
  const startS = () => startSaga(o, 'bench-cpu-saga');
  const startF = () => startFloor(o, 'bench-cpu-floor');
  try {
    const [oneSaga] = await batch(warmup, startS);
    const [oneFloor] = await batch(warmup, startF);
    const shape = {
      sagaActivities: oneSaga ? await countActivities(oneSaga) : Number.NaN,
      floorActivities: oneFloor ? await countActivities(oneFloor) : Number.NaN,
      floorWorkflows: FLOOR_SHAPE.workflows,
    };
    const happyPath = oneSaga ? await happyPathCount(o.client, oneSaga) : undefined;
    const sagaRuns: CpuRun[] = [];
    const floorRuns: CpuRun[] = [];
    for (let r = 0; r < runs; r++) {
      sagaRuns.push(await measureCpu(n, saga, startS));
      floorRuns.push(await measureCpu(n, floor, startF));
    }
    const summary = (all: CpuRun[]) => ({
      workerMsPerSaga: pick(all, 'workerMsPerSaga'),
      serverMsPerSaga: pick(all, 'serverMsPerSaga'),
      serverCores: pick(all, 'serverCores'),
      workerCores: pick(all, 'workerCores'),
      benchCores: pick(all, 'benchCores'),
      perSecond: pick(all, 'perSecond'),
      ioBytesPerSaga: pick(all, 'ioBytesPerSaga'),
      logBytesPerSaga: pick(all, 'logBytesPerSaga'),
    });
    const s = summary(sagaRuns);
    const f = summary(floorRuns);
    return {
      n,
      runs,
      shape,
      happyPath,
      saga: s,
      floor: f,
      ratio: s.workerMsPerSaga.median / f.workerMsPerSaga.median,
    };
  } finally {
    await saga.stop();
    await floor.stop();
  }
}

export type CpuResult = Awaited<ReturnType<typeof cpuSection>>;

/** Where an in-flight saga waits. */
export type WaitKind = 'onboarding' | 'settlement';

async function waitUntil(check: () => boolean, what: string, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** RSS growth of one worker with `n` sagas parked in `kind`, its cache `cache` workflows. */
async function inflightCase(o: CapacityOptions, kind: WaitKind, n: number, cache: number) {
  const { state } = o.sandbox;
  const taskQueue = `bench-inflight-${kind}-${cache}-${randomUUID().slice(0, 8)}`;
  const worker = await sagaWorker(o, taskQueue, { MAX_CACHED_WORKFLOWS: String(cache) });
  try {
    await sleep(2_000);
    const idle = rssMiB(worker.pid);
    state.loseHeld();
    state.holdQueue = kind === 'settlement';
    // Onboarding: runners without a Connect account; settlement: the release is queued
    // (202) and held, so the saga polls the payment, still AUTHORIZED.
    const seed = kind === 'onboarding' ? { connectAccountId: null } : {};
    const ours = new Set<string>();
    for (let i = 0; i < n; i++) {
      const handle = await startSaga(o, taskQueue, seed);
      ours.add(handle.workflowId);
    }
    const delivered = () => state.entries('status-change').filter((e) => e.detail === 'DELIVERED');
    if (kind === 'onboarding') {
      const orders = new Set([...ours].map((id) => id.slice(WORKFLOW_ID_PREFIX.length)));
      await waitUntil(
        () => delivered().filter((e) => orders.has(e.orderId)).length >= n,
        `${n} sagas in their onboarding wait`,
      );
    } else {
      await waitUntil(() => state.heldCount >= n, `${n} releases held`);
    }
    let peak = idle;
    for (let i = 0; i < 15; i++) {
      peak = Math.max(peak, rssMiB(worker.pid));
      await sleep(200);
    }
    const loaded = peak;
    return {
      kind,
      n,
      cache,
      cached: Math.min(n, cache),
      idleMiB: idle,
      loadedMiB: loaded,
      perSagaKiB: ((loaded - idle) * 1024) / n,
    };
  } finally {
    state.holdQueue = false;
    state.loseHeld();
    await worker.stop();
  }
}

/**
 * Memory per in-flight saga, in both waits, with the cache holding every saga (`n`) and
 * with a cache of `n / 4` (most evicted). From the two: KiB per cached saga, and per saga
 * evicted (what stays in the worker for a saga that is not in the cache).
 */
export async function inflightSection(o: CapacityOptions, n = 400) {
  const small = Math.max(2, Math.floor(n / 4));
  const rows = [];
  for (const kind of ['onboarding', 'settlement'] as const) {
    const full = await inflightCase(o, kind, n, n);
    const evicted = await inflightCase(o, kind, n, small);
    const perCachedKiB = full.perSagaKiB;
    const perEvictedKiB =
      ((evicted.loadedMiB - evicted.idleMiB) * 1024 - small * perCachedKiB) / (n - small);
    rows.push({ kind, full, evicted, perCachedKiB, perEvictedKiB });
  }
  return { n, rows };
}

export type InflightResult = Awaited<ReturnType<typeof inflightSection>>;

const ms = (t: IHistoryEvent['eventTime']) =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Schedule-to-start latencies (ms) of every workflow task and activity in a history. */
export function scheduleToStart(events: IHistoryEvent[]) {
  const at = new Map<number, number>();
  for (const e of events) at.set(Number(e.eventId), ms(e.eventTime));
  const workflowTasks: number[] = [];
  const activities: number[] = [];
  for (const e of events) {
    const wft = e.workflowTaskStartedEventAttributes;
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && wft) {
      const scheduled = at.get(Number(wft.scheduledEventId));
      if (scheduled !== undefined) workflowTasks.push(ms(e.eventTime) - scheduled);
    }
    const act = e.activityTaskStartedEventAttributes;
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && act) {
      const scheduled = at.get(Number(act.scheduledEventId));
      if (scheduled !== undefined) activities.push(ms(e.eventTime) - scheduled);
    }
  }
  return { workflowTasks, activities };
}

interface SizingStep {
  rate: number;
  started: number;
  completed: number;
  wftP99: number;
  activityP99: number;
  workerCores: number;
  serverCores: number;
  /** p99 under 1 s and every saga done within the grace after the step. */
  kept: boolean;
}

/** Starts `rate` sagas per second for `seconds` (open loop), then reads their histories. */
async function step(
  o: CapacityOptions,
  workerPid: number,
  taskQueue: string,
  rate: number,
  seconds: number,
  sample: number,
): Promise<SizingStep> {
  const server = devServerPid();
  const w0 = cpuMs(workerPid);
  const s0 = server ? cpuMs(server) : 0;
  const t0 = performance.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const starts: Array<Promise<WorkflowHandle>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    starts.push(startSaga(o, taskQueue));
  }
  const handles = await Promise.all(starts);
  const graceMs = 30_000;
  let completed = 0;
  await Promise.all(
    handles.map((h) =>
      Promise.race([h.result().then(() => completed++), sleep(graceMs)]).catch(() => undefined),
    ),
  );
  const wall = performance.now() - t0;
  const workerCores = (cpuMs(workerPid) - w0) / wall;
  const serverCores = server ? (cpuMs(server) - s0) / wall : Number.NaN;
  const picked = handles.filter((_, i) => i % Math.max(1, Math.floor(total / sample)) === 0);
  const wft: number[] = [];
  const act: number[] = [];
  for (const h of picked) {
    const s = scheduleToStart((await h.fetchHistory()).events ?? []);
    wft.push(...s.workflowTasks);
    act.push(...s.activities);
  }
  const wftP99 = percentile(sorted(wft), 99);
  const activityP99 = percentile(sorted(act), 99);
  return {
    rate,
    started: total,
    completed,
    wftP99,
    activityP99,
    workerCores,
    serverCores,
    kept: completed === total && wftP99 < 1000 && activityP99 < 1000,
  };
}

export interface SizingOptions {
  cpuMsPerSaga: number;
  vcpus?: number[];
  /** Start rates as fractions of the rate the CPU figure predicts at 100% of the task. */
  fractions?: number[];
  stepSeconds?: number;
  /** Histories read per step for the percentiles. */
  sample?: number;
}

/**
 * The worker pinned to core 1 (the server, the sandbox and this process to core 0) and,
 * below one vCPU, held to a CFS quota as Fargate does; start rates stepped up until
 * schedule-to-start p99 passes 1 s or sagas fall behind.
 */
export async function sizingSection(o: CapacityOptions, options: SizingOptions) {
  const vcpus = options.vcpus ?? [1, 0.5, 0.25];
  const fractions = options.fractions ?? [0.4, 0.6, 0.8, 1.0, 1.2];
  const seconds = options.stepSeconds ?? 30;
  const sample = options.sample ?? 60;
  const server = devServerPid();
  const every = allCpus();
  const rows = [];
  if (server) pin(server, '0');
  pin(process.pid, '0');
  try {
    for (const vcpu of vcpus) {
      const taskQueue = `bench-sizing-${vcpu}-${randomUUID().slice(0, 8)}`;
      const worker = await sagaWorker(o, taskQueue, { MAX_CACHED_WORKFLOWS: '200' });
      pin(worker.pid, '1');
      const quota = vcpu < 1 ? limitCpu(worker.pid, vcpu) : undefined;
      const predicted = (1000 * vcpu) / options.cpuMsPerSaga;
      const steps: SizingStep[] = [];
      try {
        await batch(10, () => startSaga(o, taskQueue));
        for (const f of fractions) {
          const rate = Math.max(0.5, Math.round(predicted * f * 2) / 2);
          const s = await step(o, worker.pid, taskQueue, rate, seconds, sample);
          steps.push(s);
          if (!s.kept) break;
        }
      } finally {
        await worker.stop();
        quota?.release();
      }
      const sustained = Math.max(0, ...steps.filter((s) => s.kept).map((s) => s.rate));
      rows.push({ vcpu, quota: vcpu >= 1 || quota !== undefined, predicted, steps, sustained });
    }
  } finally {
    if (server) pin(server, every);
    pin(process.pid, every);
  }
  return { stepSeconds: seconds, sample, rows };
}

export type SizingResult = Awaited<ReturnType<typeof sizingSection>>;
