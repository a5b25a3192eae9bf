/**
 * The worker's operations settings, read from `environments.<env>.worker` next to its
 * sizing: the metrics sidecar (ADR 0010). Problems are added to the caller's list so
 * that synth reports them together with every other setting's.
 */

/** ADOT collector release the sidecar runs; pinned, so dashboards change only by commit. */
export const DEFAULT_COLLECTOR_IMAGE =
  'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

export interface WorkerOps {
  /** Image of the ADOT collector sidecar that writes the SDK metrics to CloudWatch. */
  readonly metricsCollectorImage: string;
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

/** Reads `worker.metrics` of one environment (`raw`), adding problems to `problems`. */
export function readWorkerOps(raw: unknown, prefix: string, problems: string[]): WorkerOps {
  const worker = (raw as Raw | undefined)?.worker as Raw | undefined;
  const metrics = worker?.metrics as Raw | undefined;
  return {
    metricsCollectorImage: collectorImage(
      metrics?.collectorImage,
      `${prefix}.worker.metrics.collectorImage`,
      problems,
    ),
  };
}
