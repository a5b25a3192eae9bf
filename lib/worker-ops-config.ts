/**
 * The worker's operations settings, read from `environments.<env>.worker` next to its
 * sizing: the metrics sidecar (ADR 0010) and versioned deploys (ADR 0012). Problems are
 * added to the caller's list so that synth reports them with every other setting's.
 */

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

type Raw = Record<string, unknown>;

/** `registry/repository:tag` or `...@sha256:digest`; never a moving `latest`. */
function collectorImage(value: unknown, path: string, problems: string[]): string {
  if (value === undefined) return DEFAULT_COLLECTOR_IMAGE;
  const pinned = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/;
  if (typeof value === 'string' && pinned.test(value) && !value.endsWith(':latest')) return value;
  problems.push(`${path} must be a pinned image (registry/repository:tag or @sha256:digest)`);
  return DEFAULT_COLLECTOR_IMAGE;
}

function versioning(raw: Raw | undefined, path: string, envName: string, problems: string[]) {
  const name = raw?.deploymentName ?? `complete-order-saga-${envName}`;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(name))
    problems.push(`${path}.deploymentName must be letters, digits, _ and - (at most 255)`);
  const ids = raw?.drainingBuildIds ?? [];
  const valid =
    Array.isArray(ids) &&
    ids.length <= 5 &&
    new Set(ids).size === ids.length &&
    ids.every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id));
  if (!valid)
    problems.push(
      `${path}.drainingBuildIds must list at most 5 distinct build ids (64 hex digits: image hashes)`,
    );
  const tasks = raw?.drainingTasks ?? 1;
  if (!Number.isInteger(tasks) || (tasks as number) < 1 || (tasks as number) > 10)
    problems.push(`${path}.drainingTasks must be an integer from 1 to 10`);
  return {
    deploymentName: String(name),
    drainingBuildIds: valid ? (ids as string[]) : [],
    drainingTasks: Number(tasks),
  };
}

/** Reads `worker.metrics` and `worker.versioning` of one environment (`raw`). */
export function readWorkerOps(
  raw: unknown,
  prefix: string,
  envName: string,
  problems: string[],
): WorkerOps {
  const worker = (raw as Raw | undefined)?.worker as Raw | undefined;
  const metrics = worker?.metrics as Raw | undefined;
  return {
    metricsCollectorImage: collectorImage(
      metrics?.collectorImage,
      `${prefix}.worker.metrics.collectorImage`,
      problems,
    ),
    versioning: versioning(
      worker?.versioning as Raw | undefined,
      `${prefix}.worker.versioning`,
      envName,
      problems,
    ),
  };
}
