import type { OrderSnapshot, OrderStatus } from '../../common/workflow-safe/contracts';
import type { OrderClient } from '../clients/order-client';
import { requestContext } from './context';

/** A status change that applies only if nobody else changed the order meanwhile. */
export interface OrderTransition {
  orderId: string;
  /** The order must still be this runner's. */
  runnerId: string;
  /** The order must be in one of these statuses (or already in `to`). */
  from: readonly OrderStatus[];
  to: OrderStatus;
}

export interface TransitionResult {
  applied: boolean;
  /** The order as last read (after the change when applied). */
  order: OrderSnapshot;
}

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
    /**
     * Reads the order and changes its status only if it is still this runner's and in an
     * expected status. The Order Service has no compare-and-set, so a change made by
     * someone else between the read and the write (milliseconds) is still overwritten:
     * ADR 0013 states that window. Already in `to` counts as applied, so a retried
     * attempt whose first write landed is not mistaken for someone else's change.
     */
    async transitionOrder(t: OrderTransition): Promise<TransitionResult> {
      const ctx = requestContext();
      const order = await orders.getOrder(t.orderId, ctx);
      if (order.runnerId !== t.runnerId) return { applied: false, order };
      if (order.orderStatus === t.to) return { applied: true, order };
      if (!t.from.includes(order.orderStatus)) return { applied: false, order };
      return { applied: true, order: await orders.setStatus(t.orderId, t.to, ctx) };
    },
  };
}
