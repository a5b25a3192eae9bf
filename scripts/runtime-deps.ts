/**
 * `node scripts/runtime-deps.ts <amd64|arm64>`: the worker image's node_modules, in the
 * current directory (which holds package.json and package-lock.json). The image's deps
 * stage runs it on the build machine's platform for the image's target architecture, and
 * test/worker.image.test.ts runs the same line, so CI sees what the image will hold.
 *
 * - Production dependencies only: `dependencies` is what the worker process loads (the
 *   CDK app and the bundled Lambda code are devDependencies).
 * - `--cpu`/`--os` pick the target's native optional packages; no install scripts run, so
 *   nothing compiles for the wrong machine.
 * - The Temporal core bridge ships a prebuilt binary for every platform plus its Rust
 *   sources; only the target's binary is kept.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Docker's TARGETARCH to npm's `cpu` and the core bridge's release folder. */
const TARGETS = {
  amd64: { cpu: 'x64', bridge: 'x86_64-unknown-linux-gnu' },
  arm64: { cpu: 'arm64', bridge: 'aarch64-unknown-linux-gnu' },
} as const;
type Arch = keyof typeof TARGETS;

function targetOf(arch: string | undefined): (typeof TARGETS)[Arch] {
  if (arch === 'amd64' || arch === 'arm64') return TARGETS[arch];
  throw new Error(`target architecture must be amd64 or arm64, got ${JSON.stringify(arch)}`);
}

/** Removes what the worker never loads from the core bridge: other platforms, sources. */
function pruneCoreBridge(modules: string, keep: string): void {
  const bridge = join(modules, '@temporalio', 'core-bridge');
  const releases = join(bridge, 'releases');
  if (!existsSync(join(releases, keep, 'index.node'))) {
    throw new Error(`no prebuilt Temporal core bridge for ${keep} in ${releases}`);
  }
  for (const release of readdirSync(releases)) {
    if (release !== keep) rmSync(join(releases, release), { recursive: true, force: true });
  }
  for (const source of ['sdk-core', 'src', 'bridge-macros', 'Cargo.toml', 'Cargo.lock']) {
    rmSync(join(bridge, source), { recursive: true, force: true });
  }
}

const target = targetOf(process.argv[2]);
execFileSync(
  'npm',
  [
    'ci',
    '--omit=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--os=linux',
    `--cpu=${target.cpu}`,
  ],
  { stdio: 'inherit' },
);
pruneCoreBridge(join(process.cwd(), 'node_modules'), target.bridge);
