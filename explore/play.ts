/**
 * Plays one scenario in one lane: seeds the order, scripts the services' answers for its
 * requests, starts the saga, runs each event when its point in the saga's life comes (or
 * skips it when the saga can no longer get there), lets every held payment command settle,
 * then judges the order with the reliability suite's invariants.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { PaymentStatus } from '../common/workflow-safe/contracts';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import {
  DECIDE_UPDATE,
  type DecisionRecord,
  type OperatorDecision,
  type ParkedState,
} from '../common/workflow-safe/operator';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { gatherFacts } from '../reliability/facts';
import {
  COMPLETED_UNPAID,
  type Outcome,
  PAID_AFTER_CHANGE,
  verdict,
} from '../reliability/invariants';
import type { Fault, LedgerEntry, Route, ScriptedAnswer, SeededOrder } from '../sandbox';
import type { Action, AnswerClass, Point, Scenario } from './scenario';
import { HTTP_TIMEOUT_MS, type Lane, type World } from './world';

export interface Played {
  outcome: Outcome | 'error';
  violations: string[];
  /** Payouts after a support change the Order Service's contract cannot prevent (ADR 0013). */
  contractLimit: string[];
  /** What happened, one line per event: for reading a counterexample. */
  log: string[];
  seconds: number;
}

/** A saga RUNNING without progress this long after the last event is a violation. */
const SETTLE_BOUND_MS = 25_000;
/** How long an event waits for its point before it is skipped. */
const POINT_BOUND_MS = 10_000;
/** A point other than a park is given up this long after the saga parked. */
const PARKED_GIVE_UP_MS = 1_500;
const UPDATE_TIMEOUT_MS = 15_000;

const LATE_MS = HTTP_TIMEOUT_MS + 700;

export function faultFor(answer: AnswerClass, slowMs: number): ScriptedAnswer {
  switch (answer) {
    case 'normal':
      return null;
    case 'timeout':
      return { delayMs: LATE_MS };
    case 'drop':
      return { drop: true };
    case 'slow':
      return { delayMs: slowMs };
    case 'after:lost':
      return { afterProcessing: true, drop: true };
    case 'after:late':
      return { afterProcessing: true, delayMs: LATE_MS };
    case 'after:409':
    case 'after:422':
    case 'after:500':
      return { afterProcessing: true, status: Number(answer.slice(6)) };
    default:
      return { status: Number(answer) };
  }
}

const KEY_OF: Record<Route, keyof SeededOrder> = {
  getOrderDetails: 'orderId',
  updateOrderStatus: 'orderId',
  paymentStatus: 'orderId',
  connectAccount: 'runnerId',
  release: 'paymentId',
  revert: 'paymentId',
};

const SEEDED_STATUS: Record<Scenario['order']['payment'], PaymentStatus> = {
  AUTHORIZED: 'AUTHORIZED',
  SUCCEEDED_OURS: 'SUCCEEDED',
  SUCCEEDED_OTHER: 'SUCCEEDED',
  SUCCEEDED_NO_TRANSFER: 'SUCCEEDED',
  FAILED: 'FAILED',
  REVERTED: 'REVERTED',
};

const hex = (n: number) => randomUUID().replaceAll('-', '').slice(0, n);

type View =
  | { closed: true; status: string }
  | { closed: false; progress: SagaProgress | undefined };

class Play {
  readonly log: string[] = [];
  /** Requests, ledger entries and support changes in the order they happened. */
  readonly timeline: Array<{ what: string; seq?: number }> = [];
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private readonly cleanups: Array<() => void> = [];
  private readonly consumedParks = new Set<string>();
  private readonly started = Date.now();

  constructor(
    readonly world: World,
    readonly lane: Lane,
    readonly scenario: Scenario,
    readonly seeded: SeededOrder,
  ) {}

  get state() {
    return this.world.sandbox.state;
  }

  get orderId() {
    return this.seeded.orderId;
  }

  note(line: string): void {
    this.log.push(`${((Date.now() - this.started) / 1000).toFixed(1)}s ${line}`);
  }

  private bump(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    for (const wake of this.waiters) wake();
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Scripts the answers and watches this order's requests and ledger entries. */
  arm(): void {
    const { faults } = this.world.sandbox;
    const { answers, lasting, slowMs } = this.scenario;
    for (const [route, list] of Object.entries(answers) as Array<[Route, AnswerClass[]]>) {
      const scripted = list.map((a) => faultFor(a, slowMs));
      this.cleanups.push(
        faults.script(route, this.seeded[KEY_OF[route]] as string, scripted, lasting === route),
      );
    }
    this.cleanups.push(
      faults.observe((route, keys) => {
        if (!keys.has(this.seeded[KEY_OF[route]] as string)) return;
        this.timeline.push({ what: `request ${route}` });
        this.bump(`request ${route}`);
      }),
    );
    const onLedger = (entry: LedgerEntry) => {
      if (entry.orderId !== this.orderId) return;
      const detail = entry.kind === 'status-change' ? ` ${entry.detail}` : '';
      this.timeline.push({ what: `ledger ${entry.kind}${detail}`, seq: entry.seq });
      this.bump(`ledger ${entry.kind}`);
    };
    this.state.on('ledger', onLedger);
    this.cleanups.push(() => this.state.off('ledger', onLedger));
  }

  disarm(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  handle(runId?: string): WorkflowHandle {
    return this.world.client.workflow.getHandle(workflowIdFor(this.orderId), runId);
  }

  async view(): Promise<View | undefined> {
    try {
      const described = await this.handle().describe();
      const status = described.status.name as string;
      if (status !== 'RUNNING') return { closed: true, status };
      const progress = await this.handle()
        .query<SagaProgress>(PROGRESS_QUERY)
        .catch(() => undefined);
      return { closed: false, progress };
    } catch {
      return undefined;
    }
  }

  input() {
    return {
      orderId: this.orderId,
      runnerId: this.seeded.runnerId,
      settings: this.scenario.settings,
    };
  }

  /** Resolves when `key` counted `n`, or false once `giveUp` says so. */
  private async counted(key: string, n: number): Promise<boolean> {
    if (this.count(key) >= n) return true;
    let wake = () => {};
    const reached = new Promise<boolean>((resolve) => {
      wake = () => {
        if (this.count(key) >= n) resolve(true);
      };
      this.waiters.add(wake);
    });
    try {
      return await Promise.race([reached, this.giveUp(false)]);
    } finally {
      this.waiters.delete(wake);
    }
  }

  /**
   * Resolves false once the point can no longer come: the saga ended, or (for a point
   * other than a park) it has been parked a while, or the bound passed.
   */
  private async giveUp(forPark: boolean, check?: (view: View) => boolean): Promise<boolean> {
    const deadline = Date.now() + POINT_BOUND_MS;
    let parkedSince: number | undefined;
    while (Date.now() < deadline) {
      const view = await this.view();
      if (view && check?.(view)) return true;
      if (view?.closed) return false;
      const parked = view?.progress?.status === 'NEEDS_OPERATOR';
      if (!forPark && parked) {
        parkedSince ??= Date.now();
        if (Date.now() - parkedSince > PARKED_GIVE_UP_MS) return false;
      } else {
        parkedSince = undefined;
      }
      await delay(check ? 100 : 250);
    }
    return false;
  }

  /** Waits for the point; true when it came. A park found is taken (`parked`). */
  async reach(point: Point): Promise<{ reached: boolean; parked?: ParkedState }> {
    switch (point.on) {
      case 'start':
        return { reached: true };
      case 'request':
        return { reached: await this.counted(`request ${point.route}`, point.n) };
      case 'ledger':
        return { reached: await this.counted(`ledger ${point.kind}`, point.n) };
      case 'step':
        return {
          reached: await this.giveUp(
            false,
            (v) => !v.closed && v.progress?.currentStep === point.step,
          ),
        };
      case 'parked': {
        let parked: ParkedState | undefined;
        // Taken inside the check, so two decisions waiting at once never take the same park.
        await this.giveUp(true, (v) => {
          const p = !v.closed ? v.progress?.parked : undefined;
          if (!p || this.consumedParks.has(p.since + p.reason)) return false;
          this.consumedParks.add(p.since + p.reason);
          parked = p;
          return true;
        });
        return parked ? { reached: true, parked } : { reached: false };
      }
    }
  }

  /** Until this order's ledger grew or the saga left `parked` (at most 3 s): the state changed. */
  async untilChanged(parked: ParkedState): Promise<void> {
    const ledger = this.state.ledger.filter((e) => e.orderId === this.orderId).length;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      await delay(100);
      if (this.state.ledger.filter((e) => e.orderId === this.orderId).length !== ledger) return;
      const view = await this.view();
      if (view?.closed || view?.progress?.parked?.since !== parked.since) return;
    }
  }

  lastSeq(): number {
    return this.state.ledger.at(-1)?.seq ?? 0;
  }

  /** Sends one decision as `ops decide` does; remembers it when the saga accepted it. */
  async sendDecision(decision: OperatorDecision): Promise<void> {
    const sentAtSeq = this.lastSeq() + 0.5;
    try {
      const record = await this.world.client.withAbortSignal(
        AbortSignal.timeout(UPDATE_TIMEOUT_MS),
        () =>
          this.handle().executeUpdate<DecisionRecord, [OperatorDecision]>(DECIDE_UPDATE, {
            args: [decision],
          }),
      );
      const acceptedAtSeq = this.lastSeq() + 0.5;
      const all = this.world.decisions.get(this.orderId) ?? [];
      all.push({ action: record.action, sentAtSeq, acceptedAtSeq });
      this.world.decisions.set(this.orderId, all);
      this.note(`decision ${decision.action} accepted`);
    } catch (error) {
      const message =
        error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error);
      this.note(`decision ${decision.action} refused: ${message.slice(0, 120)}`);
    }
  }

  decisionFor(parked: ParkedState, pick: number, transfer: 'payment' | 'madeUp'): OperatorDecision {
    const action = parked.allowed[Math.floor(pick * parked.allowed.length)] ?? parked.allowed[0];
    const shown = this.state.payments.get(this.seeded.paymentId)?.transferId;
    const transferId =
      transfer === 'payment' && shown ? shown : `tr_explore${Math.floor(pick * 1e6)}`;
    return {
      action: action as OperatorDecision['action'],
      operator: 'explorer@example.com',
      reason: `explorer decision on ${parked.reason}`,
      ...(action === 'markPaid' ? { transferId } : {}),
    };
  }

  /**
   * Holds the saga's next payment read (its re-check while parked), decides meanwhile, then
   * lets the read go: the decision races the saga's own finding.
   */
  async raceRecheck(decision: OperatorDecision, settleFirst: boolean): Promise<void> {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const hold: Fault = { route: 'paymentStatus', key: this.orderId, hold: gate };
    const held = this.world.sandbox.faults.inject(hold);
    const waitMs = (this.scenario.settings.settlementWaitMs ?? 1_000) * 3 + 2_000;
    const deadline = Date.now() + waitMs;
    while (held.hits === 0 && Date.now() < deadline) await delay(50);
    if (held.hits === 0) {
      held.remove();
      open();
      this.note('no re-check came: deciding plainly');
      return this.sendDecision(decision);
    }
    this.note('re-check read held');
    await this.sendDecision(decision);
    if (settleFirst) this.note(`settled ${this.state.settlePayment(this.seeded.paymentId)} held`);
    open();
  }

  async act(action: Action, parked: ParkedState | undefined): Promise<void> {
    const handle = this.handle();
    switch (action.do) {
      case 'cancel':
        await handle.cancel().catch(() => undefined);
        return;
      case 'terminate': {
        await handle.terminate('explorer: terminated by an operator').catch(() => undefined);
        const runId = await this.world.startSaga(this.input(), this.lane.taskQueue);
        this.note(runId ? 'started again' : 'not started again (API refuses)');
        return;
      }
      case 'reset':
        await this.reset(action.at);
        return;
      case 'killWorker':
        await this.lane.killWorker();
        await this.lane.startWorker();
        return;
      case 'support':
        this.support(action);
        return;
      case 'settle':
        this.note(`settled ${this.state.settlePayment(this.seeded.paymentId, action.kind)} held`);
        return;
      case 'lose':
        this.note(`lost ${this.state.losePayment(this.seeded.paymentId, action.kind)} held`);
        return;
      case 'decide': {
        if (!parked) return;
        this.note(`parked ${parked.reason}, allowed ${parked.allowed.join('/')}`);
        const first = this.decisionFor(parked, action.pick, action.transfer);
        if (action.mode === 'plain') return this.sendDecision(first);
        if (action.mode === 'stale') {
          await this.untilChanged(parked);
          return this.sendDecision(first);
        }
        if (action.mode === 'twice') {
          const second = this.decisionFor(parked, action.pick2 ?? 0, action.transfer);
          await Promise.all([this.sendDecision(first), this.sendDecision(second)]);
          return;
        }
        await this.raceRecheck(first, action.settleFirst === true);
        return;
      }
    }
  }

  private support(action: Extract<Action, { do: 'support' }>): void {
    const order = this.state.orders.get(this.orderId);
    if (!order) return;
    if (action.change === 'reassign') {
      order.runnerId = `user_reassigned${hex(12)}`;
      const seq = this.lastSeq();
      this.world.noteSupportChange(this.orderId, { kind: 'reassigned', seq });
      this.timeline.push({ what: 'support', seq });
      return;
    }
    const status = action.change === 'cancel' ? 'CANCELLED' : (action.status ?? 'ON_THE_WAY');
    this.state.applyOrderStatus(order, status);
    const seq = this.lastSeq();
    const kind =
      status === 'CANCELLED' ? 'cancelled' : status === 'DELIVERED' ? 'delivered' : 'moved';
    this.world.noteSupportChange(this.orderId, { kind, seq });
    this.timeline.push({ what: 'support', seq });
  }

  private async reset(at: number): Promise<void> {
    const { runId, status } = await this.handle().describe();
    // An operator resets a saga that is stuck, not one that ended.
    if (status.name !== 'RUNNING') return this.note(`no reset: the saga is ${status.name}`);
    const events = (await this.handle(runId).fetchHistory()).events ?? [];
    const tasks = events.filter((e) => e.workflowTaskCompletedEventAttributes);
    const target = tasks[Math.floor(at * tasks.length)];
    if (!target) return;
    const reply = await this.world.client.workflowService.resetWorkflowExecution({
      namespace: this.world.client.options.namespace,
      workflowExecution: { workflowId: workflowIdFor(this.orderId), runId },
      reason: 'explorer: reset to a workflow task',
      workflowTaskFinishEventId: target.eventId,
      requestId: randomUUID(),
    });
    if (reply.runId) this.world.noteRun(this.orderId, reply.runId);
    this.note(`reset to task ${tasks.indexOf(target) + 1}/${tasks.length}`);
  }

  /** Until the saga ended or parked; false when it still runs after `boundMs`. */
  async untilSettled(boundMs: number): Promise<boolean> {
    const deadline = Date.now() + boundMs;
    for (let waitMs = 100; Date.now() < deadline; waitMs = Math.min(waitMs * 2, 1_000)) {
      const view = await this.view();
      if (view?.closed || view?.progress?.status === 'NEEDS_OPERATOR') return true;
      await delay(waitMs);
    }
    return false;
  }

  /**
   * A support change between the saga's last read of the order and its write `what` (the
   * release request, or the COMPLETED status): ADR 0013's window, the contract's limit.
   */
  isContractLimit(what: string): boolean {
    const at = this.timeline.findIndex((t) => t.what === what);
    if (at < 0) return false;
    const before = this.timeline.slice(0, at);
    const lastRead = before.map((t) => t.what).lastIndexOf('request getOrderDetails');
    const changes = before.flatMap((t, i) => (t.what === 'support' ? [i] : []));
    const sagaCancels = this.state
      .entries('status-change', this.orderId)
      .filter(
        (e) =>
          e.detail === 'CANCELLED' && !before.some((t) => t.what === 'support' && t.seq === e.seq),
      )
      .filter((e) => e.seq < (this.timeline[at]?.seq ?? 0));
    return changes.length > 0 && changes.every((i) => i > lastRead) && sagaCancels.length === 0;
  }
}

function seedOrder(world: World, scenario: Scenario): SeededOrder {
  const { state } = world.sandbox;
  const kind = scenario.order.payment;
  const seeded = state.seedOrder({
    connectAccountId: scenario.order.connectAccount ? undefined : null,
    paymentStatus: SEEDED_STATUS[kind],
    settlementFails: scenario.settlement.releaseFails,
  });
  const payment = state.payments.get(seeded.paymentId);
  if (payment && kind === 'SUCCEEDED_OURS') {
    Object.assign(payment, { runnerId: seeded.runnerId, transferId: `tr_seeded${hex(12)}` });
  }
  if (payment && kind === 'SUCCEEDED_OTHER') {
    Object.assign(payment, { runnerId: `user_other${hex(14)}`, transferId: `tr_other${hex(12)}` });
  }
  state.setSettlement(seeded.paymentId, 'release', scenario.settlement.release);
  state.setSettlement(seeded.paymentId, 'revert', scenario.settlement.revert);
  return seeded;
}

export async function play(world: World, lane: Lane, scenario: Scenario): Promise<Played> {
  const started = Date.now();
  const seeded = seedOrder(world, scenario);
  const p = new Play(world, lane, scenario, seeded);
  p.arm();
  try {
    if (!lane.worker) await lane.startWorker();
    await world.startSaga(p.input(), lane.taskQueue);
    // Every event waits for its own point at once: the list's order means nothing.
    await Promise.all(
      scenario.events.map(async (event, i) => {
        const { reached, parked } = await p.reach(event.at);
        if (!reached) return p.note(`event ${i} skipped: ${JSON.stringify(event.at)} never came`);
        p.note(`event ${i}: ${event.act.do} at ${JSON.stringify(event.at)}`);
        await p.act(event.act, parked);
      }),
    );
    const settled = await p.untilSettled(SETTLE_BOUND_MS);
    // Whatever is still held settles now (a lost command stays lost): late consequences.
    const drained = world.sandbox.state.settlePayment(seeded.paymentId);
    if (drained > 0) {
      p.note(`drained ${drained} held command(s)`);
      await delay(300);
      if (settled) await p.untilSettled(8_000);
    }
    const v = verdict(await gatherFacts(world, seeded.orderId));
    const contractLimit = v.violations.filter(
      (x) =>
        (x.startsWith(PAID_AFTER_CHANGE) && p.isContractLimit('ledger release-request')) ||
        (x.startsWith(COMPLETED_UNPAID) && p.isContractLimit('ledger status-change COMPLETED')),
    );
    return {
      outcome: v.outcome,
      violations: v.violations.filter((x) => !contractLimit.includes(x)),
      contractLimit,
      log: p.log,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } catch (error) {
    return {
      outcome: 'error',
      violations: [`explorer error: ${error instanceof Error ? error.stack : String(error)}`],
      contractLimit: [],
      log: p.log,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    p.disarm();
    // A parked or stuck saga keeps its worker busy re-checking: stop it once judged.
    await p
      .handle()
      .terminate('explorer: judged')
      .catch(() => undefined);
  }
}
