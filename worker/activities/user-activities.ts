import type { UserClient } from '../clients/user-client';
import { requestContext } from './context';

/** Activities against the User Service. */
export function createUserActivities(users: UserClient) {
  return {
    /** The runner's Stripe Connect account id, or null while not onboarded. */
    async getConnectAccount(runnerId: string): Promise<string | null> {
      return users.getConnectAccount(runnerId, requestContext());
    },
  };
}
