/**
 * The worker's operations settings, read from `environments.<env>.worker` next to its
 * sizing: the metrics sidecar (ADR 0010) and versioned deploys (ADR 0012). Problems go
 * to the caller's Reader, so that synth reports them with every other setting's.
 */
import type { Raw, Reader } from './config/reader';

/** ADOT collector release the sidecar runs; pinned, so dashboards change only by commit. */
export const DEFAULT_COLLECTOR_IMAGE =
  'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

export interface WorkerVersioning {
  /** The Temporal Worker Deployment every worker of this environment belongs to. */
  readonly deploymentName: string;
  /**
   * Earlier worker images (their build ids: the image hashes) kept running until their
   * pinned sagas finish; the deploy refuses to drop a version that still has sagas.
   */
  readonly drainingBuildIds: readonly string[];
  /** Tasks per draining version. */
  readonly drainingTasks: number;
}

export interface WorkerOps {
  /** Image of the ADOT collector sidecar that writes the SDK metrics to CloudWatch. */
  readonly metricsCollectorImage: string;
  readonly versioning: WorkerVersioning;
}

/** `registry/repository:tag` or `...@sha256:digest`; never a moving `latest`. */
function collectorImage(r: Reader, raw: Raw | undefined): string {
  const path = 'worker.metrics.collectorImage';
  const value = r.at(raw, path);
  if (value === undefined) return DEFAULT_COLLECTOR_IMAGE;
  const pinned = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/;
  if (typeof value === 'string' && pinned.test(value) && !value.endsWith(':latest')) return value;
  r.problem(path, 'must be a pinned image (registry/repository:tag or @sha256:digest)');
  return DEFAULT_COLLECTOR_IMAGE;
}

function versioning(r: Reader, raw: Raw | undefined, envName: string): WorkerVersioning {
  const path = 'worker.versioning';
  const name = r.at(raw, `${path}.deploymentName`) ?? `complete-order-saga-${envName}`;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(name))
    r.problem(`${path}.deploymentName`, 'must be letters, digits, _ and - (at most 255)');
  else if (!name.includes(envName))
    // A copy of `dev` pasted as `prod` would otherwise keep polling dev's deployment.
    r.problem(
      `${path}.deploymentName`,
      `must contain the environment's name (${envName}); leave it out to get complete-order-saga-${envName}`,
    );
  const ids = r.at(raw, `${path}.drainingBuildIds`) ?? [];
  const valid =
    Array.isArray(ids) &&
    ids.length <= 5 &&
    new Set(ids).size === ids.length &&
    ids.every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id));
  if (!valid)
    r.problem(
      `${path}.drainingBuildIds`,
      'must list at most 5 distinct build ids (64 hex digits: image hashes)',
    );
  return {
    deploymentName: String(name),
    drainingBuildIds: valid ? (ids as string[]) : [],
    drainingTasks: r.int(raw, `${path}.drainingTasks`, 1, 1, 10),
  };
}

/** Reads `worker.metrics` and `worker.versioning` of one environment (`raw`). */
export function readWorkerOps(r: Reader, raw: Raw | undefined, envName: string): WorkerOps {
  return {
    metricsCollectorImage: collectorImage(r, raw),
    versioning: versioning(r, raw, envName),
  };
}
