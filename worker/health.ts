/**
 * A small HTTP health endpoint for the container health check: 200 while the worker is
 * RUNNING, 503 otherwise (starting, draining after SIGTERM, stopped).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WORKER_HEALTH_PATH } from '../common/worker-health';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(port: number, state: () => string): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const current = state();
    const healthy = current === 'RUNNING';
    res.writeHead(req.url === WORKER_HEALTH_PATH ? (healthy ? 200 : 503) : 404, {
      'content-type': 'application/json',
    });
    res.end(
      JSON.stringify(
        req.url === WORKER_HEALTH_PATH
          ? { status: healthy ? 'healthy' : 'unhealthy', worker: current }
          : { error: 'Not found' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
