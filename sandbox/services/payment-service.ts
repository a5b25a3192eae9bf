/**
 * Sandbox Payment Service, quirks included: release answers 202 and settles later, a
 * second release transfers again (not idempotent, `Idempotency-Key` ignored), revert
 * without a JSON body is a 400.
 */
import { randomUUID } from 'node:crypto';
import type { RoutedHandler, SandboxReply, SandboxRequest } from './http-server';
import type { SandboxPayment, SandboxState } from './state';

export const paymentErrorBody = (status: number) => {
  if (status === 404) return { success: false, error: 'NOT_FOUND', message: 'Payment not found' };
  if (status === 503) return { success: false, error: 'KAFKA_ERROR', message: 'Kafka unavailable' };
  if (status === 400) return { success: false, error: 'BAD_REQUEST', message: 'Bad request' };
  return { success: false, error: 'KAFKA_PUBLISH_ERROR', message: 'Injected fault' };
};

const queued = (what: string): SandboxReply => ({
  status: 202,
  body: {
    success: true,
    message: `${what} payment command queued successfully.`,
    correlation_id: randomUUID(),
  },
});

function touch(payment: SandboxPayment, changes: Partial<SandboxPayment>): void {
  Object.assign(payment, changes, { updatedAt: new Date().toISOString() });
}

function settleRelease(state: SandboxState, payment: SandboxPayment, runnerId: string): void {
  const { orderId, paymentId } = payment;
  const capturable = payment.status === 'AUTHORIZED' || payment.status === 'SUCCEEDED';
  if (!capturable || state.failingSettlements.has(paymentId)) {
    touch(payment, { status: 'FAILED' });
    state.record({ kind: 'release-failed', orderId, paymentId, detail: payment.status });
    return;
  }
  const transferId = `tr_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  touch(payment, { status: 'SUCCEEDED', transferId, runnerId });
  state.record({ kind: 'transfer', orderId, paymentId, detail: transferId });
}

function release(state: SandboxState, payment: SandboxPayment, req: SandboxRequest): SandboxReply {
  const body = (req.json ?? {}) as { runner_id?: unknown; runner_connect_account_id?: unknown };
  if (typeof body.runner_id !== 'string' || typeof body.runner_connect_account_id !== 'string') {
    return { status: 400, body: paymentErrorBody(400) };
  }
  const runnerId = body.runner_id;
  const { orderId, paymentId } = payment;
  state.record({ kind: 'release-request', orderId, paymentId, headers: req.headers });
  state.later(() => settleRelease(state, payment, runnerId), { paymentId, kind: 'release' });
  return queued('Release');
}

function revert(state: SandboxState, payment: SandboxPayment, req: SandboxRequest): SandboxReply {
  if (!req.isJson) return { status: 400, body: paymentErrorBody(400) };
  const { orderId, paymentId } = payment;
  const { status, runnerId, transferId } = payment;
  state.record({
    kind: 'revert-request',
    orderId,
    paymentId,
    headers: req.headers,
    payment: { status, runnerId, transferId },
  });
  state.later(
    () => {
      const refunded = payment.status === 'SUCCEEDED';
      touch(payment, { status: 'REVERTED' });
      state.record({ kind: refunded ? 'refund' : 'revert', orderId, paymentId });
    },
    { paymentId, kind: 'revert' },
  );
  return queued('Revert');
}

const STATUS_PATH = /^\/payment\/([^/]+)\/status$/;
const COMMAND_PATH = /^\/payment\/([^/]+)\/(release|revert)$/;
const notFound: SandboxReply = { status: 404, body: paymentErrorBody(404) };

export function paymentRouter(state: SandboxState) {
  return (method: string, url: URL): RoutedHandler | undefined => {
    const status = STATUS_PATH.exec(url.pathname);
    if (method === 'GET' && status?.[1]) {
      const orderId = decodeURIComponent(status[1]);
      return {
        route: 'paymentStatus',
        handle: () => {
          const payment = state.paymentForOrder(orderId);
          return payment ? { status: 200, body: { success: true, payment } } : notFound;
        },
      };
    }
    const command = COMMAND_PATH.exec(url.pathname);
    if (method !== 'POST' || !command?.[1]) return undefined;
    const payment = state.payments.get(decodeURIComponent(command[1]));
    const action = command[2] === 'release' ? release : revert;
    return {
      route: command[2] === 'release' ? 'release' : 'revert',
      handle: (req) => (payment ? action(state, payment, req) : notFound),
    };
  };
}
