import { transportFailure } from './downstream-failures';
import { type JsonReply, type ServiceHttp, TransportError } from './http';

/** Sends a request; a transport error becomes a transient failure. */
export async function send(
  http: ServiceHttp,
  ...args: Parameters<ServiceHttp['request']>
): Promise<JsonReply> {
  try {
    return await http.request(...args);
  } catch (error) {
    if (error instanceof TransportError) throw transportFailure(error);
    throw error;
  }
}
