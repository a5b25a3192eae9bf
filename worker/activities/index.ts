import { createServiceHttp } from '../clients/http';
import { createOrderClient } from '../clients/order-client';
import { createPaymentClient } from '../clients/payment-client';
import { createUserClient } from '../clients/user-client';
import { createClaimActivities } from './claim-activities';
import { createOrderActivities } from './order-activities';
import { createPaymentActivities } from './payment-activities';
import { createReleaseActivities } from './release-activities';
import { createUserActivities } from './user-activities';

export interface ServiceUrls {
  order: string;
  user: string;
  payment: string;
}

/** Builds every activity from HTTP clients rooted at `urls`. */
export function createActivities(urls: ServiceUrls, requestTimeoutMs: number) {
  const orders = createOrderClient(
    createServiceHttp('order-service', urls.order, requestTimeoutMs),
  );
  const payments = createPaymentClient(
    createServiceHttp('payment-service', urls.payment, requestTimeoutMs),
  );
  return {
    ...createOrderActivities(orders),
    ...createUserActivities(
      createUserClient(createServiceHttp('user-service', urls.user, requestTimeoutMs)),
    ),
    ...createPaymentActivities(payments),
    ...createClaimActivities(),
    ...createReleaseActivities(orders, payments),
  };
}

/** The activity interface the workflow proxies. */
export type SagaActivities = ReturnType<typeof createActivities>;
