/**
 * The reliability scenarios that existed before issue 9: process and server crashes,
 * random downstream faults, duplicate triggers, load. Each triggers real sagas, injects its
 * faults, waits for the sagas to end or park, and returns one row of the summary.
 */
import type { Fault, Route } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import {
  nextLedger,
  retried,
  type ScenarioResult,
  summarize,
  timed,
  triggerOrders,
} from './helpers';
import { judge, untilSettled } from './judge';

export async function workerCrashes(env: ReliabilityEnvironment, n = 30): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    // One release reply held for a minute: the worker dies while that request is in flight.
    env.sandbox.faults.inject({ route: 'release', afterProcessing: true, delayMs: 60_000 });
    const ids = await triggerOrders(env, n);
    const killPoints = [
      nextLedger(env, 'release-request'),
      nextLedger(env, 'transfer', { after: 5 }),
      nextLedger(env, 'release-request', { after: 15 }),
    ];
    for (const point of killPoints) {
      await point;
      await env.killWorker();
      await env.startWorker();
    }
    return judge(env, ids, 180_000);
  });
  env.sandbox.faults.clear();
  return {
    scenario: 'worker SIGKILL x3 (one with a release in flight)',
    orders: n,
    faults: '3 kills',
    ...summarize(verdicts),
    seconds,
  };
}

export async function serverRestart(env: ReliabilityEnvironment, n = 30): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    env.sandbox.state.settleDelayMs = 1_000;
    const ids = await triggerOrders(env, n);
    await Promise.race([
      nextLedger(env, 'release-request', { after: 5 }),
      new Promise((resolve) => setTimeout(resolve, 15_000)),
    ]);
    await env.restartServer();
    const verdicts = await judge(env, ids, 240_000);
    env.sandbox.state.settleDelayMs = 20;
    return verdicts;
  });
  return {
    scenario: 'Temporal server restart mid-sagas',
    orders: n,
    faults: '1 restart',
    ...summarize(verdicts),
    seconds,
  };
}

const ROUTES: Route[] = [
  'getOrderDetails',
  'updateOrderStatus',
  'connectAccount',
  'paymentStatus',
  'release',
  'revert',
];
const KINDS: Array<[string, Omit<Fault, 'route'>]> = [
  ['500', { status: 500 }],
  ['503', { status: 503 }],
  ['429', { status: 429 }],
  ['hang', { delayMs: 3_000 }],
  ['drop', { drop: true }],
  ['late reply', { delayMs: 3_000, afterProcessing: true }],
];

/** How long the random faults last at most. */
const FAULT_WINDOW_MS = 150_000;

export async function downstreamFaults(
  env: ReliabilityEnvironment,
  rate: number,
  n = 30,
): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    // Each route gets every kind of fault, together at `rate` of its requests.
    for (const route of ROUTES) {
      for (const [, fault] of KINDS) {
        env.sandbox.faults.inject({
          route,
          ...fault,
          probability: rate / KINDS.length,
          times: Number.POSITIVE_INFINITY,
        });
      }
    }
    const failing = Math.round(n * 0.2);
    const ids = [
      ...(await triggerOrders(env, n - failing)),
      ...(await triggerOrders(env, failing, { settlementFails: true })),
    ];
    // The incident ends after FAULT_WINDOW_MS: a saga deep in the after-pivot backoff
    // (up to 5 min between attempts) finishes on its next attempt instead of outliving
    // the judge, as it would once a real outage is over.
    await untilSettled(env, ids, FAULT_WINDOW_MS);
    env.sandbox.faults.clear();
    return judge(env, ids, 300_000);
  });
  const faults = `${Math.round(rate * 100)}% of requests (${KINDS.map(([k]) => k).join('/')}) for up to ${FAULT_WINDOW_MS / 1000} s, 20% settlements FAILED`;
  return {
    scenario: `downstream faults at ${Math.round(rate * 100)}%`,
    orders: n,
    faults,
    ...summarize(verdicts),
    seconds,
  };
}

export async function duplicates(env: ReliabilityEnvironment): Promise<ScenarioResult> {
  const [result, seconds] = await timed(async () => {
    const seeded = env.sandbox.state.seedOrder();
    const body = { order_id: seeded.orderId, runner_id: seeded.runnerId };
    const first = await Promise.all(Array.from({ length: 50 }, () => env.trigger(body)));
    const verdicts = await judge(env, [seeded.orderId], 60_000);
    const again = await Promise.all(Array.from({ length: 10 }, () => env.trigger(body)));
    const runIds = new Set([...first, ...again].map((r) => (r.json as { run_id?: string }).run_id));
    const extra = runIds.size === 1 ? [] : [`${runIds.size} distinct runs answered`];
    const summary = summarize(verdicts);
    return { ...summary, violations: [...summary.violations, ...extra] };
  });
  return {
    scenario: 'same order triggered 50x concurrently, then 10x after completion',
    orders: 1,
    faults: '60 triggers',
    ...result,
    seconds,
  };
}

export async function load(env: ReliabilityEnvironment, n = 400): Promise<ScenarioResult> {
  retried.count = 0;
  const [verdicts, seconds] = await timed(async () =>
    judge(env, await triggerOrders(env, n), 300_000),
  );
  const summary = summarize(verdicts);
  return {
    scenario: `load: ${n} orders triggered concurrently over HTTP`,
    orders: n,
    faults: 'none (the server itself is the limit)',
    outcomes: `${summary.outcomes}; ${retried.count} triggers answered 503 + Retry-After and were retried`,
    violations: summary.violations,
    seconds,
  };
}
