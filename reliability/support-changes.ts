/**
 * Support cancels or reassigns orders while their sagas wait or run: through the Order
 * Service's own endpoint (cancel) or its data (reassignment, which has no endpoint). Before
 * the release the saga must not pay (a cancelled order's money goes back; a reassigned one
 * is left to the new runner); after it, the payout stands and the saga parks.
 */
import type { SeededOrder, SeedOptions } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import {
  isRetryingNotQueued,
  type ScenarioResult,
  sagaHandle,
  summarize,
  timed,
  triggerOrder,
  untilRun,
} from './helpers';
import type { Outcome } from './invariants';
import { judge } from './judge';
import { type Armed, atStep, onboarding, whenAt } from './step-holds';

type Change = 'cancelled' | 'reassigned';

/** Support's tool: POST /updateOrderStatus CANCELLED on the Order Service. */
async function supportCancels(env: ReliabilityEnvironment, orderId: string): Promise<void> {
  const reply = await fetch(`${env.sandbox.urls.order}/updateOrderStatus`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, status: 'CANCELLED' }),
  });
  if (reply.status !== 200) throw new Error(`support's cancel answered ${reply.status}`);
  const written = env.sandbox.state.entries('status-change', orderId).at(-1);
  env.noteSupportChange(orderId, { kind: 'cancelled', seq: written?.seq ?? 0 });
}

/** Support gives the order to another runner. */
function supportReassigns(env: ReliabilityEnvironment, orderId: string): void {
  const order = env.sandbox.state.orders.get(orderId);
  if (!order) throw new Error(`no order ${orderId}`);
  order.runnerId = `user_reassigned${orderId.slice(0, 8)}`;
  env.noteSupportChange(orderId, {
    kind: 'reassigned',
    seq: env.sandbox.state.ledger.at(-1)?.seq ?? 0,
  });
}

interface Moment {
  name: string;
  seed?: SeedOptions;
  arm(env: ReliabilityEnvironment, seeded: SeededOrder): Armed;
  expected(change: Change): Outcome;
}

const beforeRelease = (change: Change): Outcome =>
  change === 'cancelled' ? 'cancelled' : 'untouched';

const MOMENTS: Moment[] = [
  {
    name: 'during the onboarding wait',
    seed: { connectAccountId: null },
    arm: onboarding,
    expected: beforeRelease,
  },
  {
    name: 'while running, just marked DELIVERED',
    arm: atStep('connectAccount', 'getConnectAccount', 'runnerId'),
    expected: beforeRelease,
  },
  {
    name: 'during a Payment Service outage (503)',
    arm: whenAt({ route: 'release', key: 'paymentId', status: 503 }, isRetryingNotQueued),
    expected: beforeRelease,
  },
  {
    name: 'after the release was queued',
    arm: atStep('paymentStatus', 'releaseFunds', 'orderId', 'release-request'),
    // Paid before the change: the payout stands, the order needs a person.
    expected: () => 'parked',
  },
];

const CHANGES: Change[] = ['cancelled', 'reassigned'];

async function runCase(env: ReliabilityEnvironment, moment: Moment, change: Change) {
  const seeded = env.sandbox.state.seedOrder(moment.seed);
  const armed = moment.arm(env, seeded);
  const problems: string[] = [];
  try {
    await triggerOrder(env, seeded.orderId, seeded.runnerId);
    if (!(await armed.reached())) problems.push(`never reached ${moment.name}`);
    if (change === 'cancelled') await supportCancels(env, seeded.orderId);
    else supportReassigns(env, seeded.orderId);
    if (armed.liftLast) {
      await untilRun(sagaHandle(env, seeded.orderId), (p) => p.status === 'NEEDS_OPERATOR');
    }
  } catch (error) {
    problems.push(`failed: ${String(error)}`);
  } finally {
    armed.lift();
  }
  return { moment, change, orderId: seeded.orderId, problems };
}

export async function supportChanges(
  env: ReliabilityEnvironment,
  perCase = 3,
): Promise<ScenarioResult> {
  const [[cases, verdicts], seconds] = await timed(async () => {
    const cases = await Promise.all(
      MOMENTS.flatMap((m) =>
        CHANGES.flatMap((c) => Array.from({ length: perCase }, () => runCase(env, m, c))),
      ),
    );
    return [
      cases,
      await judge(
        env,
        cases.map((c) => c.orderId),
        120_000,
      ),
    ] as const;
  });
  const summary = summarize(verdicts);
  const unexpected = cases.flatMap((c, i) => {
    const got = verdicts[i]?.outcome;
    const expected = c.moment.expected(c.change);
    const problems = got === expected ? [] : [`expected ${expected}, got ${got}`];
    return [...c.problems, ...problems].map(
      (p) => `${c.orderId} (${c.change} ${c.moment.name}): ${p}`,
    );
  });
  return {
    scenario: 'support cancels or reassigns orders while their sagas wait or run',
    orders: cases.length,
    faults: `${CHANGES.join(' / ')} ${MOMENTS.map((m) => m.name).join('; ')}`,
    outcomes: summary.outcomes,
    violations: [...summary.violations, ...unexpected],
    seconds,
  };
}
