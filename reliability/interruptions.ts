/**
 * Terminate, cancel, or reset a saga at every step, then trigger it again through the API,
 * as a mobile backend retrying a completion would. Each saga is held at its step by faults
 * keyed to its own order (a hanging request, a 503, a reply in flight), so every case runs
 * at once and none depends on timing.
 */
import type { SeededOrder, SeedOptions } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import {
  isRetryingNotQueued,
  isWaitingForSettlement,
  type ScenarioResult,
  sagaHandle,
  summarize,
  timed,
  triggerOrder,
  untilRun,
} from './helpers';
import { INTERRUPTIONS, type Interruption, interrupt } from './interrupt';
import type { Outcome } from './invariants';
import { judge } from './judge';
import { type Armed, atStep, holdThen, onboarding, replyInFlight, whenAt } from './step-holds';

interface Point {
  name: string;
  /** The sandbox holds every queued release unsettled while these cases run. */
  queued?: boolean;
  seed?: SeedOptions;
  arm(env: ReliabilityEnvironment, seeded: SeededOrder): Armed;
  expected(how: Interruption): Outcome;
}

const paid = () => 'paid' as const;

const POINTS: Point[] = [
  { name: 'readOrder', arm: atStep('getOrderDetails', 'readOrder', 'orderId'), expected: paid },
  {
    name: 'markDelivered',
    arm: atStep('updateOrderStatus', 'markDelivered', 'orderId'),
    expected: paid,
  },
  { name: 'onboarding wait', seed: { connectAccountId: null }, arm: onboarding, expected: paid },
  { name: 'getPayment', arm: atStep('paymentStatus', 'getPayment', 'orderId'), expected: paid },
  {
    name: 'checkBeforeRelease',
    arm: holdThen('paymentStatus', 'getPayment', 'getOrderDetails', 'checkBeforeRelease'),
    // A cancel before the pivot returns the money once the saga has read the payment.
    expected: (how) => (how === 'cancel' ? 'cancelled' : 'paid'),
  },
  {
    name: 'releaseFunds, not queued yet (503)',
    arm: whenAt({ route: 'release', key: 'paymentId', status: 503 }, isRetryingNotQueued),
    // The claim is taken, nothing was queued: a later run cannot know that, so it parks.
    expected: (how) => (how === 'cancel' ? 'cancelled' : 'parked'),
  },
  {
    name: 'releaseFunds, queued, reply in flight',
    queued: true,
    arm: replyInFlight,
    expected: paid,
  },
  {
    name: 'settlement confirmation',
    queued: true,
    arm: whenAt(undefined, isWaitingForSettlement),
    expected: paid,
  },
  {
    name: 'markCompleted',
    arm: atStep('updateOrderStatus', 'markCompleted', 'orderId', 'transfer'),
    expected: paid,
  },
];

interface Case {
  point: Point;
  how: Interruption;
  orderId: string;
  problems: string[];
}

/** Trigger, wait for the point, interrupt, lift the hold, trigger again. */
async function runCase(env: ReliabilityEnvironment, point: Point, how: Interruption) {
  const seeded = env.sandbox.state.seedOrder(point.seed);
  const result: Case = { point, how, orderId: seeded.orderId, problems: [] };
  const armed = point.arm(env, seeded);
  try {
    await triggerOrder(env, seeded.orderId, seeded.runnerId);
    if (!(await armed.reached())) result.problems.push(`never reached ${point.name}`);
    await interrupt(env, seeded.orderId, how);
    if (!armed.liftLast) armed.lift();
    if (how === 'cancel') {
      // Before the pivot the run compensates and ends; after it the cancel is only recorded.
      await untilRun(
        sagaHandle(env, seeded.orderId),
        (p) =>
          p.cancelRequested === true &&
          (p.currentStep === 'markCompleted' || isWaitingForSettlement(p)),
      );
    }
    await triggerOrder(env, seeded.orderId, seeded.runnerId);
    if (armed.liftLast) {
      await untilRun(sagaHandle(env, seeded.orderId), (p) => p.status === 'NEEDS_OPERATOR');
      armed.lift();
    }
  } catch (error) {
    armed.lift();
    result.problems.push(`${how} at ${point.name} failed: ${String(error)}`);
  }
  return result;
}

function casesOf(env: ReliabilityEnvironment, points: Point[]) {
  return Promise.all(points.flatMap((p) => INTERRUPTIONS.map((how) => runCase(env, p, how))));
}

export async function interruptions(env: ReliabilityEnvironment): Promise<ScenarioResult> {
  const { state } = env.sandbox;
  const [cases, seconds] = await timed(async () => {
    state.holdQueue = true;
    const queued = await casesOf(
      env,
      POINTS.filter((p) => p.queued),
    );
    // Every later run confirms what the first one queued; only then does it settle.
    await Promise.all(
      queued.map((c) => untilRun(sagaHandle(env, c.orderId), isWaitingForSettlement)),
    );
    state.holdQueue = false;
    state.settleHeld();
    return [
      ...queued,
      ...(await casesOf(
        env,
        POINTS.filter((p) => !p.queued),
      )),
    ];
  });
  const [verdicts, judged] = await timed(() =>
    judge(
      env,
      cases.map((c) => c.orderId),
      180_000,
    ),
  );
  const summary = summarize(verdicts);
  const unexpected = cases.flatMap((c, i) => {
    const got = verdicts[i]?.outcome;
    const expected = c.point.expected(c.how);
    const problems = got === expected ? [] : [`expected ${expected}, got ${got}`];
    return [...c.problems, ...problems].map(
      (p) => `${c.orderId} (${c.how} at ${c.point.name}): ${p}`,
    );
  });
  return {
    scenario: 'terminate / cancel / reset at every step, then triggered again over HTTP',
    orders: cases.length,
    faults: `${POINTS.length} points × ${INTERRUPTIONS.length} interruptions (${INTERRUPTIONS.join(', ')})`,
    outcomes: summary.outcomes,
    violations: [...summary.violations, ...unexpected],
    seconds: Math.round((seconds + judged) * 10) / 10,
  };
}
