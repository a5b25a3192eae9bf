import {
  isOrderStatus,
  type OrderSnapshot,
  type OrderStatus,
} from '../../common/workflow-safe/contracts';
import { FailureType } from '../../common/workflow-safe/failure-types';
import { isValidId, pathSegment } from '../../common/workflow-safe/ids';
import { contractViolation, failure, unexpectedReply } from './downstream-failures';
import type { RequestContext, ServiceHttp } from './http';
import { send } from './send';

/** Typed client of the Order Service (CONTRACTS.md, "Order Service"). */
export interface OrderClient {
  getOrder(orderId: string, ctx: RequestContext): Promise<OrderSnapshot>;
  setStatus(orderId: string, status: OrderStatus, ctx: RequestContext): Promise<OrderSnapshot>;
}

function toSnapshot(service: string, orderId: string, body: unknown): OrderSnapshot {
  const order = body as Record<string, unknown> | undefined;
  if (order?.orderId !== orderId) throw contractViolation(service, 'order id does not match');
  if (!isOrderStatus(order.orderStatus)) throw contractViolation(service, 'unknown order status');
  const runnerId = order.runnerId ?? null;
  if (runnerId !== null && !isValidId('runnerId', runnerId)) {
    throw contractViolation(service, 'runnerId has an invalid format');
  }
  return { orderId, runnerId, orderStatus: order.orderStatus };
}

function orderNotFound(orderId: string) {
  return failure(FailureType.OrderNotFound, `order ${orderId} does not exist`, { orderId });
}

export function createOrderClient(http: ServiceHttp): OrderClient {
  return {
    async getOrder(orderId, ctx) {
      const query = `orderId=${pathSegment('orderId', orderId)}`;
      const reply = await send(http, 'GET', `getOrderDetails?${query}`, ctx);
      if (reply.status === 200) return toSnapshot(http.service, orderId, reply.body);
      if (reply.status === 404) throw orderNotFound(orderId);
      throw unexpectedReply(http.service, reply);
    },
    async setStatus(orderId, status, ctx) {
      pathSegment('orderId', orderId);
      const reply = await send(http, 'POST', 'updateOrderStatus', ctx, { orderId, status });
      if (reply.status === 404) throw orderNotFound(orderId);
      if (reply.status !== 200) throw unexpectedReply(http.service, reply);
      const snapshot = toSnapshot(
        http.service,
        orderId,
        (reply.body as { order?: unknown })?.order,
      );
      if (snapshot.orderStatus !== status)
        throw contractViolation(http.service, 'status not applied');
      return snapshot;
    },
  };
}
