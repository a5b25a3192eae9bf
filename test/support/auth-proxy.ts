/**
 * A gRPC (HTTP/2 cleartext) proxy in front of the dev server that checks API keys the way
 * Temporal Cloud does: a request whose `authorization` is not `Bearer <accepted key>` is
 * answered UNAUTHENTICATED; any other is passed through untouched. Lets tests rotate and
 * revoke keys against a real server.
 */
import {
  connect,
  constants,
  createServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface AuthProxy {
  address: string;
  /** The one API key accepted; change it to rotate (the previous key is then refused). */
  acceptedKey: string;
  /** Requests refused so far. */
  refused: number;
  close(): Promise<void>;
}

const GRPC_UNAUTHENTICATED = '16';

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const { ':authority': _authority, ':scheme': _scheme, ...rest } = headers;
  return rest;
}

export async function startAuthProxy(upstream: string, acceptedKey: string): Promise<AuthProxy> {
  const session = connect(`http://${upstream}`);
  const server = createServer();
  const clients = new Set<ServerHttp2Session>();
  server.on('session', (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
  });
  server.on('stream', (stream, headers) => {
    // A client that goes away mid-call is not the proxy's failure.
    stream.on('error', () => undefined);
    if (headers.authorization !== `Bearer ${proxy.acceptedKey}`) {
      proxy.refused++;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': GRPC_UNAUTHENTICATED,
          'grpc-message': 'Request unauthenticated',
        },
        { endStream: true },
      );
      return;
    }
    const call = session.request(forwardable(headers));
    let trailers: OutgoingHttpHeaders = {};
    call.on('response', (responseHeaders, flags) => {
      // A trailers-only answer (an error status) ends with its headers.
      const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond(responseHeaders, ended ? { endStream: true } : { waitForTrailers: true });
    });
    call.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('error', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('close', () => call.close());
    stream.pipe(call);
    call.pipe(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: AuthProxy = {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    acceptedKey,
    refused: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.destroy();
        session.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
