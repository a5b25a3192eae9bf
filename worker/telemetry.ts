/**
 * The SDK core's metrics (workflow-task failures, schedule-to-start latency, slots, sticky
 * cache, polls), pushed over OTLP/HTTP to the ADOT sidecar, which writes them to CloudWatch
 * as EMF (ADR 0010).
 */
import type { MetricsExporterConfig } from '@temporalio/worker';
import type { DeploymentVersion, MetricsExport } from './config';

/**
 * The build id on every metric: not a CloudWatch dimension (cost), but in each EMF record,
 * so Logs Insights can tell which version's workflow tasks fail.
 */
export function buildIdTag(deployment: DeploymentVersion | undefined): Record<string, string> {
  return deployment ? { worker_build_id: deployment.buildId } : {};
}

/**
 * The `telemetryOptions.metrics` part of `Runtime.install`, or undefined (no export).
 * Delta temporality: each export carries only what happened since the previous one, so
 * the EMF exporter writes it as is (a cumulative first value would be dropped, and the
 * first workflow-task failure after a deploy with it) and histograms keep min and max.
 */
export function metricsExporter(
  metrics: MetricsExport | undefined,
  globalTags: Record<string, string> = {},
): MetricsExporterConfig | undefined {
  if (!metrics) return undefined;
  return {
    otel: {
      url: metrics.url,
      http: true,
      temporality: 'delta',
      metricsExportInterval: metrics.exportIntervalMs,
    },
    globalTags,
  };
}
