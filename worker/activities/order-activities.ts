import type { OrderSnapshot, OrderStatus } from '../../common/contracts';
import type { OrderClient } from '../clients/order-client';
import { requestContext } from './context';

/** Activities against the Order Service. */
export function createOrderActivities(orders: OrderClient) {
  return {
    /** Reads the order before anything changes: runner, status. */
    async readOrder(orderId: string): Promise<OrderSnapshot> {
      return orders.getOrder(orderId, requestContext());
    },
    /** Sets the order's status (the service applies any transition; the saga guards). */
    async setOrderStatus(orderId: string, status: OrderStatus): Promise<OrderSnapshot> {
      return orders.setStatus(orderId, status, requestContext());
    },
  };
}
