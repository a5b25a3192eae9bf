import { join } from 'node:path';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import type { Construct } from 'constructs';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The worker image (arm64), built from the repository root with `worker/Dockerfile`. Its
 * context is what `.dockerignore` lets through, so its hash, which is also the worker's
 * build id (ADR 0012), changes only when the worker's own files or dependencies do.
 * `directory` is for tests that build the asset from a copy of the repository.
 */
export function workerImageAsset(scope: Construct, id: string, directory = ROOT): DockerImageAsset {
  return new DockerImageAsset(scope, id, {
    directory,
    file: 'worker/Dockerfile',
    platform: Platform.LINUX_ARM64,
  });
}
