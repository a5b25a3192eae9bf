/**
 * The worker as operators run it: `node dist/worker/main.js` in its own process, so tests
 * can SIGKILL it mid-saga and start another one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { WORKER_HEALTH_PATH, WORKER_HEALTH_PORT_VAR } from '../common/worker-health';

const MAIN = join(import.meta.dirname, '..', 'dist', 'worker', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** Every stdout line, as written (JSON or not: a test asserts which). */
  lines: string[];
  /** Resolves with the health port once the worker logged that it started. */
  started: Promise<number>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** The line's JSON object, or undefined for a line that is not JSON (kept, never thrown). */
function parseLine(line: string): { message?: unknown; healthPort?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface SpawnOptions {
  /** The worker's entry point (default: this checkout's dist/worker/main.js). */
  main?: string;
  cwd?: string;
  /** Keep every stdout line in `lines` (default true; false for long runs that never read them). */
  keepLines?: boolean;
}

export function spawnWorker(
  env: Record<string, string>,
  options: SpawnOptions = {},
): WorkerProcess {
  const child = spawn(process.execPath, [options.main ?? MAIN], {
    env: { PATH: process.env.PATH ?? '', [WORKER_HEALTH_PORT_VAR]: '0', ...env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const started = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (options.keepLines !== false) lines.push(line);
      const entry = parseLine(line);
      if (entry?.message === 'worker started' && typeof entry.healthPort === 'number') {
        resolve(entry.healthPort);
      }
    });
    exited.then(() => reject(new Error(`worker exited before starting: ${stderr}`)), reject);
  });
  return { child, lines, started, exited, stderr: () => stderr };
}

/** Polls the worker's /health until it answers 200 (the worker is polling its queue). */
export async function waitHealthy(port: number): Promise<unknown> {
  for (;;) {
    const reply = await fetch(`http://127.0.0.1:${port}${WORKER_HEALTH_PATH}`).catch(
      () => undefined,
    );
    if (reply?.status === 200) return reply.json();
    await delay(50); // polling interval, not a synchronisation guess
  }
}
