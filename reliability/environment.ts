/**
 * Everything the reliability suite runs against, on loopback: a Temporal dev server that
 * persists to a file (so it can be restarted), the worker as its own process, the sandbox
 * services, and the API handlers behind the local HTTP server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sagaSettingVar } from '../common/saga-env';
import type { SagaSettings } from '../common/workflow-safe/saga-settings';
import { handler as completion } from '../functions/completion/handler';
import { handler as health } from '../functions/health/handler';
import { API_ROUTES } from '../functions/routes';
import { handler as trigger } from '../functions/trigger/handler';
import { type Sandbox, startSandbox } from '../sandbox';
import { startLocalApi } from '../sandbox/local-api';
import { freePort } from '../sandbox/ports';
import { startDevServer } from '../sandbox/temporal-server';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';

/**
 * Saga settings for the suite, passed to every saga the API starts. Windows short enough
 * that an unknown release or an unconfirmed revert parks within seconds, and a release
 * retry window (2 min) longer than the suite's 45 s Payment Service outage. Re-sends after
 * a 503 come 0.75, 2.25, 5.25, 11.25, 23.25 and 47.25 s after the first: the last one
 * falls just after that outage, so the scenario does not idle through a longer backoff.
 */
export const SUITE_SAGA_SETTINGS: Partial<SagaSettings> = {
  settlementWaitMs: 20_000,
  revertWaitMs: 20_000,
  releaseRetryWindowMs: 120_000,
  releaseRetryIntervalMs: 750,
  connectAccountPollMs: 250,
  activityTimeoutMs: 5_000,
};

const SAGA_ENV = Object.fromEntries(
  Object.entries(SUITE_SAGA_SETTINGS).map(([key, value]) => [
    sagaSettingVar(key as keyof SagaSettings),
    String(value),
  ]),
);

/**
 * A change support made to an order behind the saga's back, at ledger position `seq`:
 * `moved` to another status, or `delivered` (moved to DELIVERED, what the saga itself writes).
 */
export interface SupportChange {
  kind: 'cancelled' | 'reassigned' | 'moved' | 'delivered';
  seq: number;
}

export class ReliabilityEnvironment {
  worker: WorkerProcess | undefined;
  /** Every saga run of an order that the API answered with, or that a reset created. */
  readonly runs = new Map<string, Set<string>>();
  /** Changes support made to orders (cancel, reassignment), for the payout invariant. */
  readonly supportChanges = new Map<string, SupportChange[]>();

  private constructor(
    private server: TestWorkflowEnvironment,
    private readonly port: number,
    private readonly dbFilename: string,
    readonly sandbox: Sandbox,
    readonly client: Client,
    private readonly connection: Connection,
    readonly api: { url: string; close(): Promise<void> },
  ) {}

  static async start(): Promise<ReliabilityEnvironment> {
    const port = await freePort();
    const dbFilename = join(mkdtempSync(join(tmpdir(), 'reliability-')), 'temporal.db');
    const server = await startDevServer({ port, dbFilename, ignoreExisting: true });
    const sandbox = await startSandbox();
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: server.address,
      AUTH_MODE: 'none',
      ...SAGA_ENV,
    });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    const api = await startLocalApi({ trigger, health, completion }, 0);
    const env = new ReliabilityEnvironment(
      server,
      port,
      dbFilename,
      sandbox,
      client,
      connection,
      api,
    );
    await env.startWorker();
    return env;
  }

  get address(): string {
    return this.server.address;
  }

  async startWorker(): Promise<void> {
    this.worker = spawnWorker({
      TEMPORAL_ADDRESS: this.address,
      ORDER_SERVICE_URL: this.sandbox.urls.order,
      USER_SERVICE_URL: this.sandbox.urls.user,
      PAYMENT_SERVICE_URL: this.sandbox.urls.payment,
      HTTP_TIMEOUT_MS: '2000',
      SHUTDOWN_GRACE_MS: '2000',
    });
    await waitHealthy(await this.worker.started);
  }

  async killWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.child.kill('SIGKILL');
    await worker.exited;
  }

  /** Stops the Temporal server and starts it again on the same port and database file. */
  async restartServer(): Promise<void> {
    await this.server.teardown();
    this.server = await startDevServer({
      port: this.port,
      dbFilename: this.dbFilename,
      ignoreExisting: true,
    });
  }

  noteRun(orderId: string, runId: string): void {
    const runs = this.runs.get(orderId) ?? new Set<string>();
    runs.add(runId);
    this.runs.set(orderId, runs);
  }

  noteSupportChange(orderId: string, change: SupportChange): void {
    this.supportChanges.set(orderId, [...(this.supportChanges.get(orderId) ?? []), change]);
  }

  /** POSTs a trigger to the API over HTTP; remembers the run it answered with. */
  async trigger(body: unknown, init: { raw?: string; headers?: Record<string, string> } = {}) {
    const reply = await fetch(`${this.api.url}${API_ROUTES.trigger.path}`, {
      method: 'POST',
      headers: init.headers ?? { 'content-type': 'application/json' },
      body: init.raw ?? JSON.stringify(body),
    });
    const text = await reply.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const retryAfter = Number(reply.headers.get('retry-after') ?? Number.NaN);
    const orderId = (body as { order_id?: unknown } | undefined)?.order_id;
    const runId = (json as { run_id?: unknown } | undefined)?.run_id;
    if (reply.status === 200 && typeof orderId === 'string' && typeof runId === 'string') {
      this.noteRun(orderId.toLowerCase(), runId);
    }
    return {
      status: reply.status,
      contentType: reply.headers.get('content-type'),
      json,
      retryAfter,
    };
  }

  async close(): Promise<void> {
    this.worker?.child.kill('SIGKILL');
    await this.api.close();
    await this.connection.close();
    await this.sandbox.close();
    await this.server.teardown();
  }
}
