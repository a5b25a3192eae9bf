/**
 * An OTLP/HTTP metrics receiver on loopback, standing in for the ADOT sidecar: it decodes
 * what the worker pushes (protobuf, the subset of opentelemetry/proto/metrics/v1 read
 * here) and keeps the latest data points per metric name.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** Field numbers as in opentelemetry-proto (collector/metrics/v1 and metrics/v1). */
const SCHEMA = `
syntax = "proto3";
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { repeated Metric metrics = 2; }
message Metric { string name = 1; string unit = 3; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint { repeated KeyValue attributes = 7; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 count = 4; double sum = 5; double min = 11; double max = 12; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { string string_value = 1; }
`;
const Request = protobuf.parse(SCHEMA).root.lookupType('ExportMetricsServiceRequest');

/** OTLP's AggregationTemporality; gauges have none. */
export const Temporality = { delta: 1, cumulative: 2 } as const;

export interface ReceivedPoint {
  labels: Record<string, string>;
  /** Counter or gauge value; a histogram's count. */
  value: number;
}

export interface ReceivedMetric {
  name: string;
  kind: 'gauge' | 'sum' | 'histogram';
  temporality: number | undefined;
  points: ReceivedPoint[];
}

interface DecodedPoint {
  attributes?: Array<{ key: string; value?: { stringValue?: string } }>;
  asInt?: number;
  asDouble?: number;
  count?: number;
}
interface DecodedData {
  dataPoints?: DecodedPoint[];
  aggregationTemporality?: number;
}
interface DecodedMetric {
  name: string;
  gauge?: DecodedData;
  sum?: DecodedData;
  histogram?: DecodedData;
}

function toReceived(metric: DecodedMetric): ReceivedMetric {
  const kind = metric.histogram ? 'histogram' : metric.sum ? 'sum' : 'gauge';
  const data = metric[kind] ?? {};
  const points = (data.dataPoints ?? []).map((p) => ({
    labels: Object.fromEntries(
      (p.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? '']),
    ),
    value: Number(p.count ?? p.asInt ?? p.asDouble ?? 0),
  }));
  return { name: metric.name, kind, temporality: data.aggregationTemporality, points };
}

export interface OtlpReceiver {
  /** The URL to give the worker as METRICS_OTLP_URL. */
  url: string;
  /** Latest export of each metric seen so far, by name. */
  metrics: Map<string, ReceivedMetric>;
  /**
   * Resolves once every name in `names` has arrived (at once or over several exports);
   * rejects, naming the missing ones, when they have not within `deadlineMs`.
   */
  received(names: readonly string[], deadlineMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const metrics = new Map<string, ReceivedMetric>();
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const decoded = Request.toObject(Request.decode(Buffer.concat(chunks)), { longs: Number });
      for (const resource of decoded.resourceMetrics ?? [])
        for (const scope of resource.scopeMetrics ?? [])
          for (const metric of (scope.metrics ?? []) as DecodedMetric[])
            metrics.set(metric.name, toReceived(metric));
      for (const wake of waiters) wake();
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    metrics,
    received(names, deadlineMs = 20_000) {
      return new Promise((resolve, reject) => {
        const missing = () => names.filter((n) => !metrics.has(n));
        const deadline = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`never received: ${missing().join(', ')}`));
        }, deadlineMs);
        const check = () => {
          if (missing().length > 0) return;
          clearTimeout(deadline);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
