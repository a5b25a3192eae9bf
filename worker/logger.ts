/**
 * Structured JSON logs on stdout (one object per line) for CloudWatch and local runs.
 * Every line the worker writes is JSON, the SDK's native core included: its own logs are
 * forwarded here instead of being printed as coloured text, so Logs Insights queries and
 * metric filters on `level` see the warnings that follow a server restart.
 */
import {
  DefaultLogger,
  type LogEntry,
  type LogLevel,
  type RuntimeOptions,
} from '@temporalio/worker';

/** BigInts (core metadata) become strings; JSON.stringify would throw on them. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function toLine(entry: LogEntry): string {
  return JSON.stringify(
    {
      time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
      level: entry.level,
      message: entry.message,
      ...entry.meta,
    },
    jsonSafe,
  );
}

function jsonLogger(level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    process.stdout.write(`${toLine(entry)}\n`);
  });
}

/**
 * The Runtime's logging: one JSON logger at `level`, and the native core's logs forwarded
 * to it (never printed straight to the console). The core logs at `level`; the native
 * libraries under it (gRPC, HTTP/2) only from WARN: their DEBUG and INFO are transport noise.
 */
export function runtimeLogging(
  level: LogLevel,
): Pick<RuntimeOptions, 'logger' | 'telemetryOptions'> {
  const other: LogLevel = level === 'ERROR' ? 'ERROR' : 'WARN';
  return {
    logger: jsonLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other }, forward: {} } },
  };
}
