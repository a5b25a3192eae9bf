/**
 * One Temporal client per Lambda container, connected lazily on first use and reused by
 * every invocation. A failed connection is forgotten, so the next request tries again.
 * When Temporal refuses the credential (it was rotated), the secret is read again and the
 * container reconnects, once per request.
 */
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { apiConfig } from '../config';
import { ApiError, ApiErrorCode } from '../http/errors';
import { logger } from '../logger';
import { CREDENTIAL_VARS } from './credential';
import { CredentialUnavailableError, secretCredentials } from './secret';

/** The credential in the secret is refused too: an operator must fix the secret. */
export class CredentialRefusedError extends Error {
  override readonly name = 'CredentialRefusedError';
}

let pending: Promise<Client> | undefined;

async function connect(): Promise<Client> {
  const { temporal, connectTimeoutMs, secretReadTimeoutMs } = apiConfig();
  const connection = await Connection.connect({
    ...temporal.connectionOptions,
    ...(await secretCredentials(process.env, secretReadTimeoutMs)),
    connectTimeout: connectTimeoutMs,
  });
  return new Client({ connection, namespace: temporal.namespace });
}

export function temporalClient(): Promise<Client> {
  pending ??= connect().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** Drops this container's client, so that the next use reads the secret and connects anew. */
async function forgetClient(): Promise<void> {
  const stale = pending;
  pending = undefined;
  await stale?.then((client) => client.connection.close()).catch(() => undefined);
}

/** gRPC codes CANCELLED (1), DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), UNAVAILABLE (14). */
const UNAVAILABLE = new Set<number>([1, 4, 8, 14]);
const UNAUTHENTICATED = 16;

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
  return chain;
}

/** True when Temporal refused the credential (a connect or a call). */
function isUnauthenticated(error: unknown): boolean {
  return causes(error).some((e) => isGrpcServiceError(e) && e.code === UNAUTHENTICATED);
}

/** True for errors that mean "Temporal cannot take this call now": worth a retry later. */
function isUnavailable(error: unknown): boolean {
  if (isUnauthenticated(error)) return false;
  return causes(error).some(
    (e) =>
      e instanceof CredentialUnavailableError ||
      (isGrpcServiceError(e) && UNAVAILABLE.has(e.code)) ||
      // Matched by text because no code exists to match: a connect that fails or times out
      // before any call (Connection.connect, the channel's deadline) throws a plain Error.
      // A wording the SDK changes falls through to a 500, never to a false 503.
      /Failed to connect|deadline|ECONNREFUSED|UNAVAILABLE/i.test(e.message),
  );
}

/**
 * Runs `call` with this container's client under the call deadline. Temporal being
 * unreachable, slow or throttling becomes a 503 with Retry-After, never a hang. A refused
 * credential is read again and the call retried once, within the same deadline: the
 * function's timeout has room for it (checked at synth, lib/config/api.ts).
 */
export async function withTemporal<T>(call: (client: Client) => Promise<T>): Promise<T> {
  const { callDeadlineMs } = apiConfig();
  let deadline: number | undefined;
  const attempt = async () => {
    const client = await temporalClient();
    deadline ??= Date.now() + callDeadlineMs;
    return client.withDeadline(deadline, () => call(client));
  };
  try {
    return await attempt().catch(async (error: unknown) => {
      if (!isUnauthenticated(error)) throw error;
      logger.warn('Temporal refused the credential: reading it again and reconnecting once');
      await forgetClient();
      return attempt().catch((retried: unknown) => {
        if (!isUnauthenticated(retried)) throw retried;
        throw new CredentialRefusedError(
          `Temporal refused the credential just read from ${CREDENTIAL_VARS.secretArn}: check the secret holds an active key`,
          { cause: retried },
        );
      });
    });
  } catch (error) {
    if (error instanceof ApiError || !isUnavailable(error)) throw error;
    throw new ApiError(
      503,
      ApiErrorCode.TemporalUnavailable,
      'workflow service unavailable, retry later',
      {
        headers: { 'retry-after': '5' },
        cause: error,
      },
    );
  }
}
