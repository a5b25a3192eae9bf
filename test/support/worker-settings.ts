/** A complete worker environment with nothing running behind it: for config-only tests. */
export const WORKER_SETTINGS = {
  TEMPORAL_ADDRESS: 'localhost:7233',
  ORDER_SERVICE_URL: 'http://order-service:3002',
  USER_SERVICE_URL: 'http://user-service:3001',
  PAYMENT_SERVICE_URL: 'http://payment-service:3003',
};
