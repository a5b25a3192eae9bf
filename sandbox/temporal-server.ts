/**
 * The one way tests and the local run get a Temporal server:
 * 1. `TEMPORAL_ADDRESS` set: use that running server;
 * 2. otherwise start a dev server (or time-skipping server) from a binary found by
 *    {@link findTemporalBinary};
 * 3. otherwise let @temporalio/testing download one (needs internet).
 * When all fail, the error says what to install. Nothing is skipped.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_KEYS } from '../common/workflow-safe/search-attributes';
import {
  findTemporalBinary,
  installHint,
  TEMPORAL_CLI,
  TEMPORAL_TEST_SERVER,
  type TemporalBinary,
} from './temporal-binaries';

export interface DevServerOptions {
  /** Start the web UI on this port (default: no UI). */
  uiPort?: number;
  /** gRPC port (default: a free one). */
  port?: number;
  /** Persist to this SQLite file (default: in memory). */
  dbFilename?: string;
  namespace?: string;
  /** Start a server even when TEMPORAL_ADDRESS names one (a suite that restarts it). */
  ignoreExisting?: boolean;
  /** The server's own log level (default `warn`); `error` hides its "Slow gRPC call" warnings. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

function executableFor(binary: TemporalBinary) {
  const path = findTemporalBinary(binary);
  return path ? ({ type: 'existing-path', path } as const) : undefined;
}

async function withHint<T>(binary: TemporalBinary, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new Error(`${installHint(binary)} (cause: ${String(error)})`, { cause: error });
  }
}

/** A dev server (real persistence semantics, no time skipping), or the existing one. */
export async function startDevServer(
  options: DevServerOptions = {},
): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_ADDRESS;
  const namespace = options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  if (address && !options.ignoreExisting) {
    return TestWorkflowEnvironment.createFromExistingServer({ address, namespace });
  }
  const executable = executableFor(TEMPORAL_CLI);
  return withHint(TEMPORAL_CLI, () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        ...(executable ? { executable } : {}),
        ip: '127.0.0.1',
        namespace,
        searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
        ...(options.port ? { port: options.port } : {}),
        ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
        ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
        ...(options.logLevel ? { log: { format: 'pretty', level: options.logLevel } } : {}),
      },
    }),
  );
}

/** A time-skipping test server, for sagas that wait hours. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const executable = executableFor(TEMPORAL_TEST_SERVER);
  return withHint(TEMPORAL_TEST_SERVER, () =>
    TestWorkflowEnvironment.createTimeSkipping(executable ? { server: { executable } } : {}),
  );
}
