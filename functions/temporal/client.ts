/**
 * One Temporal client per Lambda container, connected lazily on first use and reused by
 * every invocation. A failed connection is forgotten, so the next request tries again.
 */
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { apiConfig } from '../config';
import { ApiError, ApiErrorCode } from '../http/errors';
import { secretCredentials } from './secret';

let pending: Promise<Client> | undefined;

async function connect(): Promise<Client> {
  const { temporal, callDeadlineMs } = apiConfig();
  const connection = await Connection.connect({
    ...temporal.connectionOptions,
    ...(await secretCredentials(process.env)),
    connectTimeout: callDeadlineMs,
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

/** gRPC codes CANCELLED (1), DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), UNAVAILABLE (14). */
const UNAVAILABLE = new Set<number>([1, 4, 8, 14]);

/** True for errors that mean "Temporal cannot take this call now": worth a retry later. */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && UNAVAILABLE.has(e.code)) return true;
    if (/Failed to connect|deadline|ECONNREFUSED|UNAVAILABLE/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Runs `call` with this container's client under the call deadline. Temporal being
 * unreachable, slow or throttling becomes a 503 with Retry-After, never a hang.
 */
export async function withTemporal<T>(call: (client: Client) => Promise<T>): Promise<T> {
  const { callDeadlineMs } = apiConfig();
  try {
    const client = await temporalClient();
    return await client.withDeadline(Date.now() + callDeadlineMs, () => call(client));
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
