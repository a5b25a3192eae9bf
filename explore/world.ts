/**
 * What the explorer runs against: one Temporal dev server (resets and visibility queries
 * work there, unlike the time-skipping server), one sandbox with its ledger, and lanes,
 * each with its own worker process polling its own task queue, so a worker killed in one
 * lane stalls no saga in another.
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { completeOrderStart } from '../common/start';
import type { CompleteOrderInput } from '../common/workflow-safe/saga-contract';
import type { SupportChange } from '../reliability/environment';
import type { DecisionFact, FactSource } from '../reliability/facts';
import { type Sandbox, startSandbox } from '../sandbox';
import { startDevServer } from '../sandbox/temporal-server';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import { rng } from './rng';

/** The worker's per-request HTTP timeout; `timeout` answers wait longer than this. */
export const HTTP_TIMEOUT_MS = 1_500;

export class World implements FactSource {
  readonly supportChanges = new Map<string, SupportChange[]>();
  readonly runs = new Map<string, Set<string>>();
  readonly decisions = new Map<string, DecisionFact[]>();

  private constructor(
    private readonly server: TestWorkflowEnvironment,
    readonly sandbox: Sandbox,
    readonly client: Client,
    private readonly connection: Connection,
  ) {}

  static async start(seed: number): Promise<World> {
    // `error`: the server's "Slow gRPC call" warnings would bury the explorer's own lines.
    const server = await startDevServer({ ignoreExisting: true, logLevel: 'error' });
    // Probabilistic faults (none by default here) draw from the seed, never Math.random.
    const sandbox = await startSandbox({}, rng(seed).next);
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    return new World(server, sandbox, client, connection);
  }

  get address(): string {
    return this.server.address;
  }

  noteSupportChange(orderId: string, change: SupportChange): void {
    this.supportChanges.set(orderId, [...(this.supportChanges.get(orderId) ?? []), change]);
  }

  noteRun(orderId: string, runId: string): void {
    const runs = this.runs.get(orderId) ?? new Set<string>();
    runs.add(runId);
    this.runs.set(orderId, runs);
  }

  /**
   * Starts the saga as the API's trigger does (common/start.ts, a new run only after a
   * failed, cancelled or terminated one); remembers the run. Returns its run id, if new.
   */
  async startSaga(input: CompleteOrderInput, taskQueue: string): Promise<string | undefined> {
    const { workflowType, options } = completeOrderStart(input, taskQueue);
    try {
      const handle = await this.client.workflow.start(workflowType, {
        ...options,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        workflowIdConflictPolicy: 'FAIL',
      });
      this.noteRun(input.orderId, handle.firstExecutionRunId);
      return handle.firstExecutionRunId;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.sandbox.close();
    await this.server.teardown();
  }
}

export class Lane {
  worker: WorkerProcess | undefined;
  readonly taskQueue: string;

  constructor(
    private readonly world: World,
    readonly id: number,
  ) {
    this.taskQueue = `explore-lane-${id}-${process.pid}`;
  }

  async startWorker(): Promise<void> {
    const { urls } = this.world.sandbox;
    this.worker = spawnWorker(
      {
        TEMPORAL_ADDRESS: this.world.address,
        TEMPORAL_TASK_QUEUE: this.taskQueue,
        ORDER_SERVICE_URL: urls.order,
        USER_SERVICE_URL: urls.user,
        PAYMENT_SERVICE_URL: urls.payment,
        HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
        SHUTDOWN_GRACE_MS: '0',
      },
      { keepLines: false },
    );
    await waitHealthy(await this.worker.started);
  }

  /** SIGKILL, as a crashed host: no graceful shutdown, in-flight activities are lost. */
  async killWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.worker = undefined;
  }

  async close(): Promise<void> {
    await this.killWorker();
  }
}
