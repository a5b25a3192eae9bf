/** Sandbox Order Service: CONTRACTS.md "Order Service", no transition rules, like the real one. */
import { isOrderStatus } from '../../common/workflow-safe/contracts';
import type { RoutedHandler, SandboxReply, SandboxRequest } from './http-server';
import type { SandboxState } from './state';

export const orderErrorBody = (status: number) => ({
  error: status === 404 ? 'Order not found' : 'Failed to update order status: injected fault',
});

function updateStatus(state: SandboxState, req: SandboxRequest): SandboxReply {
  const { orderId, status } = (req.json ?? {}) as { orderId?: unknown; status?: unknown };
  if (!orderId || !status) {
    return { status: 400, body: { error: 'Missing required fields: orderId or status' } };
  }
  if (!isOrderStatus(status))
    return { status: 400, body: { error: `Invalid status: ${String(status)}` } };
  const order = state.orders.get(String(orderId));
  if (!order) return { status: 404, body: { error: 'Order not found' } };
  state.applyOrderStatus(order, status);
  return { status: 200, body: { message: 'Order status updated successfully', order } };
}

function getDetails(state: SandboxState, req: SandboxRequest): SandboxReply {
  const orderId = req.url.searchParams.get('orderId');
  if (!orderId) return { status: 400, body: { error: 'Missing orderId parameter' } };
  const order = state.orders.get(orderId);
  return order ? { status: 200, body: order } : { status: 404, body: { error: 'Order not found' } };
}

export function orderRouter(state: SandboxState) {
  return (method: string, url: URL): RoutedHandler | undefined => {
    if (method === 'POST' && url.pathname === '/updateOrderStatus') {
      return { route: 'updateOrderStatus', handle: (req) => updateStatus(state, req) };
    }
    if (method === 'GET' && url.pathname === '/getOrderDetails') {
      return { route: 'getOrderDetails', handle: (req) => getDetails(state, req) };
    }
    return undefined;
  };
}
