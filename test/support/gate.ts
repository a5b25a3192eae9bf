/**
 * A reverse proxy on loopback in front of one sandbox service that holds the requests a
 * test chooses until it opens the gate: a saga can be kept waiting mid-flight, on
 * purpose and for exactly as long as the test needs, then let go.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Gate {
  /** Base URL to give a worker in place of the service's. */
  url: string;
  /** Resolves when the first held request arrived. */
  holding: Promise<void>;
  /** Lets held and later requests through. */
  open(): void;
  close(): Promise<void>;
}

/**
 * Proxies to `target`; requests whose path matches `hold` (a RegExp, or a test of the path
 * that may change its answer as the test goes on) wait until `open()`.
 */
export async function startGate(
  target: string,
  hold: RegExp | ((path: string) => boolean),
): Promise<Gate> {
  const holds = typeof hold === 'function' ? hold : (path: string) => hold.test(path);
  let opened = false;
  const waiting: Array<() => void> = [];
  let arrived: () => void = () => {};
  const holding = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const forward = (incoming: IncomingMessage, reply: (r: IncomingMessage) => void) => {
    const upstream = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    });
    upstream.on('response', reply);
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  };
  const server = createServer((incoming, response) => {
    const pass = () =>
      forward(incoming, (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      });
    if (opened || !holds(incoming.url ?? '')) return pass();
    waiting.push(pass);
    arrived();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding,
    open() {
      opened = true;
      for (const pass of waiting.splice(0)) pass();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
