/**
 * Shapes of the Order, User and Payment services as they really answer
 * (see ../shared/mission/CONTRACTS.md). Only the fields the saga reads are typed.
 */

export const OrderStatus = {
  PENDING: 'PENDING',
  CREATED: 'CREATED',
  ACCEPTED: 'ACCEPTED',
  PLACED: 'PLACED',
  ON_THE_WAY: 'ON_THE_WAY',
  DELIVERED: 'DELIVERED',
  COMPLETED: 'COMPLETED',
  CANCELLED: 'CANCELLED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const PaymentStatus = {
  AUTHORIZED: 'AUTHORIZED',
  SUCCEEDED: 'SUCCEEDED',
  REVERTED: 'REVERTED',
  FAILED: 'FAILED',
} as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && Object.hasOwn(OrderStatus, value);
}

export function isPaymentStatus(value: unknown): value is PaymentStatus {
  return typeof value === 'string' && Object.hasOwn(PaymentStatus, value);
}

/** The part of the Order Service's `Order` that the saga relies on. */
export interface OrderSnapshot {
  orderId: string;
  runnerId: string | null;
  orderStatus: OrderStatus;
}

/** The part of the Payment Service's `Payment` that the saga relies on. */
export interface PaymentSnapshot {
  paymentId: string;
  orderId: string;
  runnerId: string | null;
  status: PaymentStatus;
  transferId: string | null;
}

/** Body of `POST /payment/<paymentId>/release`. */
export interface ReleaseRequest {
  runner_id: string;
  runner_connect_account_id: string;
}
