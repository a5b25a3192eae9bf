/**
 * The sandbox's data: orders, runners, payments, and a ledger of everything that moved
 * money or changed a status, so tests can count transfers instead of trusting replies.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { OrderStatus, PaymentStatus } from '../../common/workflow-safe/contracts';

const TIMESTAMP_FOR: Partial<Record<OrderStatus, 'deliveredAt' | 'completedAt' | 'cancelledAt'>> = {
  DELIVERED: 'deliveredAt',
  COMPLETED: 'completedAt',
  CANCELLED: 'cancelledAt',
};

export interface SandboxOrder {
  orderId: string;
  custId: string;
  runnerId: string | null;
  orderDescription: string;
  foodFee: number;
  deliveryFee: number;
  storeLocation: string;
  deliveryLocation: string;
  orderStatus: OrderStatus;
  sagaId: string | null;
  createdAt: string;
  updatedAt: string;
  acceptedAt: string | null;
  placedAt: string | null;
  pickedUpAt: string | null;
  deliveredAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
}

export interface SandboxPayment {
  paymentId: string;
  orderId: string;
  customerId: string;
  runnerId: string | null;
  amount: number;
  status: PaymentStatus;
  description: string;
  paymentIntentId: string;
  transferId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type LedgerKind =
  | 'status-change'
  | 'release-request'
  | 'transfer'
  | 'release-failed'
  | 'revert-request'
  | 'revert'
  | 'refund';

export interface LedgerEntry {
  seq: number;
  kind: LedgerKind;
  orderId: string;
  paymentId?: string;
  /** New order status, transfer id, failure reason... depending on `kind`. */
  detail?: string;
  headers?: Record<string, string>;
  /** For a revert request: what the payment showed when it arrived. */
  payment?: Pick<SandboxPayment, 'status' | 'runnerId' | 'transferId'>;
}

/** A payment command queued by the Payment Service, settled later. */
export type CommandKind = 'release' | 'revert';

/**
 * How one payment's queued commands settle: `soon` (after {@link SandboxState.settleDelayMs}),
 * `hold` (until {@link SandboxState.settlePayment}), or `lose` (never, a lost message).
 */
export type SettlementMode = 'soon' | 'hold' | 'lose';

export interface SeedOptions {
  orderStatus?: OrderStatus;
  runnerId?: string;
  /** `null`: the runner exists but has not onboarded to Stripe Connect. */
  connectAccountId?: string | null;
  paymentStatus?: PaymentStatus;
  /** Whether a payment exists for the order (default true). */
  withPayment?: boolean;
  /** Settlement of this payment's release: FAILED instead of SUCCEEDED. */
  settlementFails?: boolean;
}

export interface SeededOrder {
  orderId: string;
  runnerId: string;
  paymentId: string;
  connectAccountId: string | null;
}

export class SandboxState extends EventEmitter {
  readonly orders = new Map<string, SandboxOrder>();
  readonly connectAccounts = new Map<string, string | null>();
  readonly payments = new Map<string, SandboxPayment>();
  readonly failingSettlements = new Set<string>();
  readonly ledger: LedgerEntry[] = [];
  /** Every HTTP request any sandbox service received. */
  requestCount = 0;
  /** Time between a queued release/revert and its outcome. */
  settleDelayMs = 20;
  /**
   * While true, queued releases and reverts wait in {@link held} until a test settles
   * them ({@link settleHeld}) or loses them ({@link loseHeld}): slow settlement and a
   * message lost after the 202, without guessing at timings.
   */
  holdQueue = false;
  private readonly held: Array<() => void> = [];
  private readonly modes = new Map<string, Partial<Record<CommandKind, SettlementMode>>>();
  private readonly heldByPayment = new Map<string, Array<{ kind: CommandKind; run(): void }>>();
  private seq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** How many queued commands are held. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Settles the first `count` held commands (every one by default), in queue order. */
  settleHeld(count = Number.POSITIVE_INFINITY): void {
    for (const fn of this.held.splice(0, count)) fn();
  }

  /** Drops every held command, as a queue that lost them would. */
  loseHeld(): void {
    this.held.length = 0;
  }

  /** How `paymentId`'s queued commands of `kind` settle from now on (default `soon`). */
  setSettlement(paymentId: string, kind: CommandKind, mode: SettlementMode): void {
    this.modes.set(paymentId, { ...this.modes.get(paymentId), [kind]: mode });
  }

  /** This payment's held commands (of `kind`, if given), oldest first. */
  heldFor(paymentId: string, kind?: CommandKind): CommandKind[] {
    return (this.heldByPayment.get(paymentId) ?? [])
      .filter((c) => !kind || c.kind === kind)
      .map((c) => c.kind);
  }

  /** Settles this payment's held commands (of `kind`, if given), in the order they were queued. */
  settlePayment(paymentId: string, kind?: CommandKind): number {
    return this.takeHeld(paymentId, kind).map((c) => c.run()).length;
  }

  /** Drops this payment's held commands (of `kind`, if given), as a queue that lost them. */
  losePayment(paymentId: string, kind?: CommandKind): number {
    return this.takeHeld(paymentId, kind).length;
  }

  private takeHeld(paymentId: string, kind?: CommandKind) {
    const all = this.heldByPayment.get(paymentId) ?? [];
    const taken = all.filter((c) => !kind || c.kind === kind);
    this.heldByPayment.set(
      paymentId,
      all.filter((c) => !taken.includes(c)),
    );
    return taken;
  }

  /**
   * Runs `fn` after {@link settleDelayMs}, as the real services' queues do, unless the
   * payment's settlement mode for this `command` (or {@link holdQueue}) says otherwise.
   */
  later(fn: () => void, command?: { paymentId: string; kind: CommandKind }): void {
    const mode = command && this.modes.get(command.paymentId)?.[command.kind];
    if (command && mode === 'lose') return;
    if (command && mode === 'hold') {
      const held = this.heldByPayment.get(command.paymentId) ?? [];
      held.push({ kind: command.kind, run: fn });
      this.heldByPayment.set(command.paymentId, held);
      this.emit('held', held.length);
      return;
    }
    if (this.holdQueue) {
      this.held.push(fn);
      this.emit('held', this.held.length);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.settleDelayMs);
    this.timers.add(timer);
  }

  /** Drops queued work (on shutdown). */
  stop(): void {
    this.heldByPayment.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  record(entry: Omit<LedgerEntry, 'seq'>): void {
    const full = { ...entry, seq: ++this.seq };
    this.ledger.push(full);
    this.emit('ledger', full);
  }

  /**
   * Sets an order's status as the Order Service's update does (any transition, its
   * timestamp, a ledger entry): the service's endpoint and support's own tools share it.
   */
  applyOrderStatus(order: SandboxOrder, status: OrderStatus): void {
    const now = new Date().toISOString();
    order.orderStatus = status;
    order.updatedAt = now;
    const stamp = TIMESTAMP_FOR[status];
    if (stamp) order[stamp] = now;
    this.record({ kind: 'status-change', orderId: order.orderId, detail: status });
  }

  seedOrder(options: SeedOptions = {}): SeededOrder {
    const now = new Date().toISOString();
    const orderId = randomUUID();
    const runnerId = options.runnerId ?? `user_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const connectAccountId =
      options.connectAccountId === undefined
        ? `acct_${randomUUID().replaceAll('-', '').slice(0, 16)}`
        : options.connectAccountId;
    this.connectAccounts.set(runnerId, connectAccountId);
    this.orders.set(orderId, {
      orderId,
      custId: `user_cust${orderId.slice(0, 8)}`,
      runnerId,
      orderDescription: JSON.stringify([{ item: 'Chicken rice', qty: 1 }]),
      foodFee: 5.5,
      deliveryFee: 2,
      storeLocation: 'Maxwell Food Centre',
      deliveryLocation: 'SMU School of Computing',
      orderStatus: options.orderStatus ?? 'ON_THE_WAY',
      sagaId: null,
      createdAt: now,
      updatedAt: now,
      acceptedAt: now,
      placedAt: now,
      pickedUpAt: now,
      deliveredAt: null,
      completedAt: null,
      cancelledAt: null,
    });
    const paymentId = randomUUID();
    if (options.withPayment !== false) {
      this.payments.set(paymentId, {
        paymentId,
        orderId,
        customerId: `user_cust${orderId.slice(0, 8)}`,
        runnerId: null,
        amount: 7.5,
        status: options.paymentStatus ?? 'AUTHORIZED',
        description: 'Order payment',
        paymentIntentId: `pi_${paymentId.replaceAll('-', '').slice(0, 20)}`,
        transferId: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    if (options.settlementFails) this.failingSettlements.add(paymentId);
    return { orderId, runnerId, paymentId, connectAccountId };
  }

  paymentForOrder(orderId: string): SandboxPayment | undefined {
    return [...this.payments.values()].find((p) => p.orderId === orderId);
  }

  /** Resolves with the next ledger entry of `kind` (for `orderId`, when given). */
  nextEntry(kind: LedgerKind, orderId?: string): Promise<LedgerEntry> {
    return new Promise((resolve) => {
      const listener = (entry: LedgerEntry) => {
        if (entry.kind !== kind || (orderId && entry.orderId !== orderId)) return;
        this.off('ledger', listener);
        resolve(entry);
      };
      this.on('ledger', listener);
    });
  }

  entries(kind: LedgerKind, orderId?: string): LedgerEntry[] {
    return this.ledger.filter((e) => e.kind === kind && (!orderId || e.orderId === orderId));
  }
}
