/**
 * Process CPU time and memory from /proc, CPU pinning (taskset) and CPU quotas (cgroup v1
 * `cpu` controller) for the capacity benchmarks. CPU time, unlike wall time, barely moves
 * when other jobs share the machine, which is why the capacity figures are built on it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function stat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is [0], ppid [1], utime [11], stime [12].
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU time of every thread of `pid` so far, in ms (10 ms resolution). */
export function cpuMs(pid: number): number {
  const fields = stat(pid);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Bytes `pid` read and wrote through syscalls (sockets, pipes, files) so far. */
export function ioBytes(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
  return field('rchar') + field('wchar');
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Descendants of this process whose command line contains `needle` (e.g. the dev server). */
export function descendantPids(needle: string): number[] {
  const parent = new Map<number, number>();
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      parent.set(pid, Number(stat(pid)[1]));
    } catch {
      // the process ended while we looked
    }
  }
  for (const pid of parent.keys()) {
    let up = parent.get(pid);
    while (up !== undefined && up > 1 && up !== process.pid) up = parent.get(up);
    if (up !== process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle)) found.push(pid);
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** The Temporal dev server this bench started (`temporal server start-dev`). */
export function devServerPid(): number | undefined {
  return descendantPids('start-dev')[0];
}

/** Pins every thread of `pid` to `cpus` (e.g. "1"); new threads inherit it. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Every core of this machine, as taskset writes them ("0-1"). */
export function allCpus(): string {
  return `0-${cpus().length - 1}`;
}

/** A CPU quota for one process: `vcpu` of one core per 100 ms, as Fargate's task CPU. */
export interface Quota {
  readonly vcpu: number;
  release(): void;
}

const CGROUP_CPU = '/sys/fs/cgroup/cpu';

/** Limits `pid` to `vcpu` cores (CFS quota); undefined when this machine does not allow it. */
export function limitCpu(pid: number, vcpu: number): Quota | undefined {
  const dir = `${CGROUP_CPU}/capacity-bench-${process.pid}-${pid}`;
  try {
    mkdirSync(dir);
    writeFileSync(`${dir}/cpu.cfs_period_us`, '100000');
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(Math.round(vcpu * 100_000)));
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
  } catch {
    return undefined;
  }
  return {
    vcpu,
    release() {
      try {
        rmdirSync(dir);
      } catch {
        // still has a process: it is removed with the next reboot, and holds nothing
      }
    },
  };
}

export interface ReadyProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns `args` with node and resolves once a stdout line contains `readyMessage`. */
export async function spawnReady(
  args: string[],
  env: Record<string, string>,
  readyMessage: string,
): Promise<ReadyProcess> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes(readyMessage)) resolve();
    });
    exited.then(() => reject(new Error(`${args.join(' ')} exited before ready: ${stderr}`)));
  });
  return {
    child,
    pid: child.pid as number,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
