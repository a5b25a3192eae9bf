import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_QUERY } from '../common/workflow-safe/names';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import { PARKED_SAGAS_QUERY } from '../ops/list';
import { FAST_SETTINGS, parkedProgress, progressWhen, useHarness } from './support/harness';
import { runOps } from './support/ops';

const WHO = [
  '--operator',
  'alice@example.com',
  '--reason',
  'checked Stripe and the Payment Service',
];

/**
 * The operator's command, run as a child process against the tests' dev server. Each saga
 * parks RELEASE_UNCONFIRMED: its release was queued, and the sandbox holds it unsettled.
 */
describe('Command: npm run ops', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });
  const started: WorkflowHandle[] = [];

  async function parkedSaga(terminateAfterEach = true) {
    h.sandbox.state.holdQueue = true;
    const { seeded, handle } = await h.seedAndStart(
      {},
      { ...FAST_SETTINGS, settlementWaitMs: 1_000 },
    );
    if (terminateAfterEach) started.push(handle);
    const progress = await parkedProgress(handle);
    return { seeded, handle, progress };
  }

  const count = (kind: 'release-request' | 'transfer' | 'revert', orderId: string) =>
    h.sandbox.state.entries(kind, orderId).length;

  const progressOf = (handle: WorkflowHandle) => handle.query<SagaProgress>(PROGRESS_QUERY);

  afterEach(async () => {
    // Parked sagas left running would outlive this file's worker on the shared server.
    for (const handle of started.splice(0)) await handle.terminate('test done').catch(() => {});
  });

  it('prints the help and exits 2 without a command, 0 with --help', async () => {
    const bare = await runOps([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/list.*\n.*show <orderId>.*\n.*decide <orderId>/s);
    const help = await runOps(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--transfer-id tr_...');
  });

  it('exits 1 naming the order when it has no saga, and 2 for an order id that is not a UUID', async () => {
    const missing = await runOps(['show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no saga for order 00000000-0000-4000-8000-000000000000');
    const bad = await runOps(['show', '../x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the order id must be a UUID');
  });

  describe('with a parked saga', () => {
    let parked: Awaited<ReturnType<typeof parkedSaga>>;
    beforeAll(async () => {
      parked = await parkedSaga(false);
      // Visibility is eventually consistent: wait until the server lists the saga.
      const query = `${PARKED_SAGAS_QUERY} AND WorkflowId = "${parked.handle.workflowId}"`;
      for (let waitMs = 20; !(await h.client.workflow.count(query)).count; ) {
        await delay(waitMs);
        waitMs = Math.min(waitMs * 2, 500);
      }
    });
    afterAll(() => parked.handle.terminate('test done'));

    it('lists it with its reason, since and allowed decisions', async () => {
      const { orderId } = parked.seeded;
      const json = await runOps(['list', '--json']);
      expect(json.code).toBe(0);
      const listed = JSON.parse(json.stdout) as Array<{ orderId: string; parked: unknown }>;
      expect(listed.find((saga) => saga.orderId === orderId)?.parked).toEqual({
        ...parked.progress.parked,
        allowed: ['resend', 'markPaid', 'refund'],
      });
      const text = await runOps(['list']);
      expect(text.code).toBe(0);
      const line = text.stdout.split('\n').find((l) => l.startsWith(orderId));
      expect(line).toBe(
        `${orderId}  RELEASE_UNCONFIRMED  since ${parked.progress.parked?.since}  allowed: resend, mark-paid, refund`,
      );
    });

    it('shows its description and progress as JSON', async () => {
      const shown = await runOps(['show', parked.seeded.orderId.toUpperCase()]);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        orderId: parked.seeded.orderId,
        workflowId: parked.handle.workflowId,
        status: 'RUNNING',
        searchAttributes: { RunnerId: parked.seeded.runnerId, SagaState: 'NEEDS_OPERATOR' },
        progress: {
          status: 'NEEDS_OPERATOR',
          parked: { reason: 'RELEASE_UNCONFIRMED', paymentId: parked.seeded.paymentId },
          decisions: [],
        },
      });
    });

    it.each([
      [
        'a transfer id that is not a Stripe transfer id',
        ['mark-paid', ...WHO, '--transfer-id', 'xyz'],
        'mark-paid needs --transfer-id',
      ],
      ['no --operator', ['resend', '--reason', 'checked'], '--operator is required'],
      ['no --reason', ['refund', '--operator', 'alice'], '--reason is required'],
      [
        'a transfer id with resend',
        ['resend', ...WHO, '--transfer-id', 'tr_x'],
        'only for mark-paid',
      ],
      [
        'an unknown decision',
        ['pay-twice', ...WHO],
        'must be one of resend, mark-paid, refund, retry, skip',
      ],
    ])('exits 2 for %s, and the saga stays parked', async (_case, args, message) => {
      const { seeded, handle } = parked;
      const run = await runOps(['decide', seeded.orderId, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(await progressOf(handle)).toMatchObject({ status: 'NEEDS_OPERATOR', decisions: [] });
    });
  });

  it('resend, after the held release was lost, pays the runner exactly once', async () => {
    const { seeded, handle } = await parkedSaga();
    h.sandbox.state.loseHeld();
    h.sandbox.state.holdQueue = false;
    const run = await runOps(['decide', seeded.orderId, 'resend', ...WHO]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Decision recorded for order ${seeded.orderId}: resend`);
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.decisions).toMatchObject([
      { action: 'resend', operator: 'alice@example.com', parkedReason: 'RELEASE_UNCONFIRMED' },
    ]);
    expect(count('release-request', seeded.orderId)).toBe(2);
    expect(count('transfer', seeded.orderId)).toBe(1);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('mark-paid records the transfer the operator found, completes the order, and watches the payment', async () => {
    const { seeded, handle } = await parkedSaga();
    h.sandbox.state.loseHeld();
    const run = await runOps([
      'decide',
      seeded.orderId,
      'mark-paid',
      ...WHO,
      '--transfer-id',
      'tr_found42',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const decision = {
      action: 'markPaid',
      operator: 'alice@example.com',
      reason: 'checked Stripe and the Payment Service',
      transferId: 'tr_found42',
      parkedReason: 'RELEASE_UNCONFIRMED',
    };
    expect(JSON.parse(run.stdout)).toMatchObject(decision);
    // The order is COMPLETED on the operator's word; the saga watches the payment until
    // the Payment Service records that payout.
    await progressWhen(handle, (p) => p.stepsDone.includes('markCompleted'));
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
    expect((await progressOf(handle)).status).not.toBe('COMPLETED');
    const payment = h.sandbox.state.payments.get(seeded.paymentId);
    Object.assign(payment ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_found42',
      runnerId: seeded.runnerId,
    });
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result).toMatchObject({ outcome: 'COMPLETED', transferId: 'tr_found42' });
    expect(result.decisions).toMatchObject([decision]);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
    expect(count('release-request', seeded.orderId)).toBe(1);
    expect(count('transfer', seeded.orderId)).toBe(0);
  });

  it('refund reverts the payment, then cancels the order', async () => {
    const { seeded, handle } = await parkedSaga();
    h.sandbox.state.loseHeld();
    h.sandbox.state.holdQueue = false;
    const run = await runOps(['decide', seeded.orderId, 'refund', ...WHO]);
    expect(run.code).toBe(0);
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result).toMatchObject({ outcome: 'REFUNDED', orderStatus: 'CANCELLED' });
    expect(result.payment?.status).toBe('REVERTED');
    expect(result.decisions?.[0]?.action).toBe('refund');
    const [reverted] = h.sandbox.state.entries('revert', seeded.orderId);
    const cancelled = h.sandbox.state
      .entries('status-change', seeded.orderId)
      .find((e) => e.detail === 'CANCELLED');
    expect(reverted?.seq).toBeLessThan(cancelled?.seq ?? 0);
    expect(count('transfer', seeded.orderId)).toBe(0);
  });

  it('exits 3 and leaves the saga parked when the saga refuses resend: the payment shows a transfer', async () => {
    const { seeded, handle } = await parkedSaga();
    const payment = h.sandbox.state.payments.get(seeded.paymentId);
    Object.assign(payment ?? {}, {
      status: 'SUCCEEDED',
      transferId: 'tr_elsewhere',
      runnerId: 'user_other',
    });
    const run = await runOps(['decide', seeded.orderId, 'resend', ...WHO]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'refused by the saga: resend refused: the payment is SUCCEEDED with transfer tr_elsewhere',
    );
    expect(run.stdout).toBe('');
    const progress = await progressOf(handle);
    expect(progress).toMatchObject({ status: 'NEEDS_OPERATOR', decisions: [] });
    expect(count('release-request', seeded.orderId)).toBe(1);
  });

  it('exits 1 and leaves the saga parked when it cannot re-read the payment to check the decision', async () => {
    const { seeded, handle } = await parkedSaga();
    h.sandbox.faults.inject({ route: 'paymentStatus', status: 404, times: Infinity });
    const run = await runOps(['decide', seeded.orderId, 'refund', ...WHO]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the saga could not check the decision and still waits');
    expect(run.stderr).toContain(`no payment for order ${seeded.orderId}`);
    expect(await progressOf(handle)).toMatchObject({ status: 'NEEDS_OPERATOR', decisions: [] });
  });

  it('exits 3 without sending when the saga is not parked', async () => {
    const { seeded, handle } = await h.seedAndStart();
    await handle.result();
    const run = await runOps(['decide', seeded.orderId, 'refund', ...WHO]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('nothing was sent: the saga is not waiting for an operator');
  });
});
