/**
 * The worker image's /app, rebuilt without Docker from what worker/Dockerfile says: the
 * last stage's COPY lines decide which files land where; a stage they copy from is run
 * here (its COPY and RUN lines, in a temporary directory standing for its WORKDIR), unless
 * the caller maps it to files already built (the build stage: `npm run build` output).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { type Instruction, parseDockerfile, type Stage, stageNamed } from './dockerfile';

export interface RuntimeTreeOptions {
  /** The build context (the repository root). */
  context: string;
  dockerfile: string;
  /** Docker's TARGETARCH for the stages run here. */
  targetArch: 'amd64' | 'arm64';
  /** Stages not run here: their WORKDIR stands for this directory. */
  prebuilt?: Record<string, string>;
}

export interface RuntimeTree {
  /** The image's WORKDIR, rebuilt. */
  dir: string;
  /** COPY lines of the last stage that write outside WORKDIR (system files), not rebuilt. */
  skipped: string[];
  /** Removes every temporary directory this build made. */
  remove(): void;
}

function workdirOf(stage: Stage): string {
  const workdir = stage.instructions.find((i) => i.op === 'WORKDIR')?.words[0];
  if (!workdir?.startsWith('/')) throw new Error(`stage ${stage.name} needs an absolute WORKDIR`);
  return workdir;
}

/** Docker's COPY: several sources, or a destination ending in "/", copy into a folder. */
function copy(sources: string[], destination: string, intoFolder: boolean): void {
  for (const source of sources) {
    const target = intoFolder ? join(destination, basename(source)) : destination;
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
  }
}

function copyArgs(copyLine: Instruction): { sources: string[]; destination: string } {
  const destination = copyLine.words.at(-1);
  if (!destination || copyLine.words.length < 2) throw new Error(`bad COPY: ${copyLine.text}`);
  return { sources: copyLine.words.slice(0, -1), destination };
}

/** Runs one stage's COPY (from the context) and RUN lines in a fresh directory. */
function runStage(stage: Stage, options: RuntimeTreeOptions): string {
  const dir = mkdtempSync(join(tmpdir(), `image-${stage.name}-`));
  const args: Record<string, string> = { TARGETARCH: options.targetArch };
  for (const instruction of stage.instructions) {
    if (instruction.op === 'WORKDIR' || instruction.op === 'ARG') continue;
    if (instruction.op === 'COPY' && !instruction.flags.from) {
      const { sources, destination } = copyArgs(instruction);
      const into = sources.length > 1 || destination.endsWith('/');
      copy(
        sources.map((s) => join(options.context, s)),
        join(dir, destination),
        into,
      );
    } else if (instruction.op === 'RUN') {
      execFileSync('sh', ['-c', instruction.text], {
        cwd: dir,
        env: { ...process.env, ...args },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } else {
      throw new Error(`stage ${stage.name}: ${instruction.op} is not reproduced by this test`);
    }
  }
  return dir;
}

export function buildRuntimeTree(options: RuntimeTreeOptions): RuntimeTree {
  const stages = parseDockerfile(options.dockerfile);
  const final = stages.at(-1) as Stage;
  const workdir = workdirOf(final);
  const dir = mkdtempSync(join(tmpdir(), 'image-app-'));
  const stageDirs = new Map<string, string>(Object.entries(options.prebuilt ?? {}));
  const skipped: string[] = [];
  const made = [dir];
  for (const instruction of final.instructions.filter((i) => i.op === 'COPY')) {
    const { sources, destination } = copyArgs(instruction);
    const absolute = posix.resolve(workdir, destination);
    if (absolute !== workdir && !absolute.startsWith(`${workdir}/`)) {
      skipped.push(instruction.text);
      continue;
    }
    const from = instruction.flags.from;
    let resolved = sources.map((s) => join(options.context, s));
    if (from) {
      const stage = stageNamed(stages, from);
      if (!stageDirs.has(from)) {
        stageDirs.set(from, runStage(stage, options));
        made.push(stageDirs.get(from) as string);
      }
      const root = stageDirs.get(from) as string;
      resolved = sources.map((s) => join(root, posix.relative(workdirOf(stage), s)));
    }
    const into = sources.length > 1 || destination.endsWith('/');
    copy(resolved, join(dir, relative(workdir, absolute)), into);
  }
  const remove = () => {
    for (const path of made) rmSync(path, { recursive: true, force: true });
  };
  return { dir, skipped, remove };
}
