import { FailureType } from '../../common/workflow-safe/failure-types';
import { isValidId, pathSegment } from '../../common/workflow-safe/ids';
import { contractViolation, failure, unexpectedReply } from './downstream-failures';
import type { RequestContext, ServiceHttp } from './http';
import { send } from './send';

/** Typed client of the User Service (CONTRACTS.md, "User Service"). */
export interface UserClient {
  /** The runner's Stripe Connect account id, or null when not onboarded yet. */
  getConnectAccount(runnerId: string, ctx: RequestContext): Promise<string | null>;
}

export function createUserClient(http: ServiceHttp): UserClient {
  return {
    async getConnectAccount(runnerId, ctx) {
      const path = `api/user/${pathSegment('runnerId', runnerId)}/connect-account`;
      const reply = await send(http, 'GET', path, ctx);
      if (reply.status === 404) {
        throw failure(FailureType.RunnerNotFound, `runner ${runnerId} does not exist`, {
          runnerId,
        });
      }
      if (reply.status !== 200) throw unexpectedReply(http.service, reply);
      const account = (reply.body as { stripe_connect_account_id?: unknown })
        ?.stripe_connect_account_id;
      if (account === null) return null;
      if (!isValidId('connectAccountId', account)) {
        throw contractViolation(http.service, 'stripe_connect_account_id has an invalid format');
      }
      return account;
    },
  };
}
