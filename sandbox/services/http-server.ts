/**
 * A tiny JSON HTTP server for one sandbox service: routing is the service's own, this
 * file adds body parsing, fault injection and clean shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Fault, FaultTable, Route } from './faults';

export interface SandboxRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when absent or not JSON. */
  json: unknown;
  /** True when the request declared `Content-Type: application/json` with a valid body. */
  isJson: boolean;
}

export interface SandboxReply {
  status: number;
  body: unknown;
}

export interface RoutedHandler {
  route: Route;
  handle(request: SandboxRequest): SandboxReply;
}

export type Router = (method: string, url: URL) => RoutedHandler | undefined;

const MAX_BODY = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<{ json: unknown; isJson: boolean }> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return { json: undefined, isJson: false };
    chunks.push(chunk as Buffer);
  }
  const declaredJson = (req.headers['content-type'] ?? '').startsWith('application/json');
  if (!declaredJson || chunks.length === 0) return { json: undefined, isJson: false };
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')), isJson: true };
  } catch {
    return { json: undefined, isJson: false };
  }
}

/** The ids a request names (path segments, query values, JSON string fields), for keyed faults. */
function requestKeys(url: URL, json: unknown): Set<string> {
  const keys = new Set<string>(url.searchParams.values());
  for (const segment of url.pathname.split('/')) {
    try {
      keys.add(decodeURIComponent(segment));
    } catch {
      keys.add(segment);
    }
  }
  if (typeof json === 'object' && json !== null) {
    for (const value of Object.values(json)) if (typeof value === 'string') keys.add(value);
  }
  return keys;
}

function send(res: ServerResponse, reply: SandboxReply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.body));
}

async function applyFault(
  res: ServerResponse,
  fault: Fault,
  errorBody: unknown,
  signal: AbortSignal,
): Promise<boolean> {
  if (fault.hold) {
    const stopped = new Promise<boolean>((resolve) =>
      signal.addEventListener('abort', () => resolve(true), { once: true }),
    );
    if (await Promise.race([fault.hold.then(() => false), stopped])) return true;
  }
  if (fault.delayMs) {
    const aborted = await delay(fault.delayMs, false, { signal }).catch(() => true);
    if (aborted) return true;
  }
  if (fault.holdUntil) {
    const stopped = new Promise<boolean>((resolve) => {
      if (signal.aborted) resolve(true);
      signal.addEventListener('abort', () => resolve(true), { once: true });
    });
    const aborted = await Promise.race([
      Promise.resolve(fault.holdUntil).then(() => false),
      stopped,
    ]);
    if (aborted) return true;
  }
  if (fault.drop) {
    res.socket?.destroy();
    return true;
  }
  if (fault.status) {
    send(res, { status: fault.status, body: fault.body ?? errorBody });
    return true;
  }
  return false;
}

export interface JsonServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (`port` 0 picks a free one). */
export async function startJsonServer(
  router: Router,
  faults: FaultTable,
  errorBody: (status: number) => unknown,
  port = 0,
  onRequest: () => void = () => undefined,
): Promise<JsonServer> {
  const stopping = new AbortController();
  const server: Server = createServer(async (req, res) => {
    onRequest();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const handler = router(req.method ?? 'GET', url);
    const { json, isJson } = await readBody(req);
    if (!handler) return send(res, { status: 404, body: { error: 'Not found' } });
    const keys = requestKeys(url, json);
    const processed = faults.arrived(handler.route, keys);
    const fault = faults.take(handler.route, keys);
    const errorFor = errorBody(fault?.status ?? 500);
    if (
      fault &&
      !fault.afterProcessing &&
      (await applyFault(res, fault, errorFor, stopping.signal))
    )
      return;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    processed();
    const reply = handler.handle({ method: req.method ?? 'GET', url, headers, json, isJson });
    if (fault?.afterProcessing && (await applyFault(res, fault, errorFor, stopping.signal))) return;
    send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
