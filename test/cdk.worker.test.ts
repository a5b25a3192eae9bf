import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { workerImageAsset } from '../lib/constructs/worker-image';
import { containers, synth } from './support/synth';

const ROOT = join(import.meta.dirname, '..');
const { worker } = synth();

/** A copy of the checkout's files (tracked and new, not ignored): a context to edit. */
function copyOfCheckout(): string {
  const copy = mkdtempSync(join(tmpdir(), 'context-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const file of files.split('\n').filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  return copy;
}

/** The worker image's hash (and build id) as a synth of `context` computes it. */
function imageHash(context: string): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  return workerImageAsset(new Stack(app, 'Hash'), 'Image', context).assetHash;
}

/**
 * The image's hash is the worker's build id (ADR 0012): what changes it rolls the workers
 * as a new version. Only the worker's own files and dependencies may.
 */
describe('CDK: the worker image and its build context', () => {
  const context = copyOfCheckout();
  afterAll(() => rmSync(context, { recursive: true, force: true }));

  it('keeps the same image when only the API, the sandbox, the CDK app or the docs change', () => {
    const before = imageHash(context);
    for (const file of [
      'functions/trigger/handler.ts',
      'sandbox/local-api.ts',
      'lib/api-stack.ts',
      'README.md',
    ]) {
      appendFileSync(join(context, file), '\n// changed\n');
    }
    expect(imageHash(context)).toBe(before);
  });

  it('builds a new image when the worker or its dependencies change', () => {
    const before = imageHash(context);
    appendFileSync(join(context, 'worker', 'main.ts'), '\n// changed\n');
    const afterWorker = imageHash(context);
    expect(afterWorker).not.toBe(before);
    appendFileSync(join(context, 'package-lock.json'), '\n');
    expect(imageHash(context)).not.toBe(afterWorker);
  });
});

describe('CDK: the worker task', () => {
  it('runs an init as PID 1, since the image has none', () => {
    const [container] = containers(worker).filter((c) => c.Name === 'worker');
    expect(container?.LinuxParameters?.InitProcessEnabled).toBe(true);
  });
});

describe('CDK: the worker service on later deploys', () => {
  it('leaves the task count to autoscaling, so a deploy under load keeps its capacity', () => {
    const service = worker.findResources('AWS::ECS::Service', {
      Properties: { Cluster: { Ref: Match.stringLikeRegexp('^WorkerCluster') } },
    });
    const current = Object.entries(service).find(([id]) => id.startsWith('WorkerService'));
    expect(current).toBeDefined();
    expect(current?.[1].Properties).not.toHaveProperty('DesiredCount');
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      ResourceId: Match.anyValue(),
    });
  });
});
