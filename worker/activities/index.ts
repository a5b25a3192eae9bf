import { createServiceHttp } from '../clients/http';
import { createOrderClient } from '../clients/order-client';
import { createPaymentClient } from '../clients/payment-client';
import { createUserClient } from '../clients/user-client';
import { createClaimActivities } from './claim-activities';
import { createOrderActivities } from './order-activities';
import { createPaymentActivities } from './payment-activities';
import { createUserActivities } from './user-activities';

export interface ServiceUrls {
  order: string;
  user: string;
  payment: string;
}

/** Builds every activity from HTTP clients rooted at `urls`. */
export function createActivities(urls: ServiceUrls, requestTimeoutMs: number) {
  return {
    ...createOrderActivities(
      createOrderClient(createServiceHttp('order-service', urls.order, requestTimeoutMs)),
    ),
    ...createUserActivities(
      createUserClient(createServiceHttp('user-service', urls.user, requestTimeoutMs)),
    ),
    ...createPaymentActivities(
      createPaymentClient(createServiceHttp('payment-service', urls.payment, requestTimeoutMs)),
    ),
    ...createClaimActivities(),
  };
}

/** The activity interface the workflow proxies. */
export type SagaActivities = ReturnType<typeof createActivities>;
