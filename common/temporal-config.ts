/**
 * Temporal connection settings shared by the worker and the API handlers, so both run
 * unchanged against a dev server or Temporal Cloud.
 */
import { type ClientConnectConfig, loadClientConnectConfig } from '@temporalio/envconfig';
import { ConfigError, type Env } from './env';

export { ConfigError };

export type TemporalConnectConfig = ClientConnectConfig & { namespace: string };

/**
 * Temporal connection through @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a TOML profile); the old service's
 * TEMPORAL_GRPC_ENDPOINT is accepted when TEMPORAL_ADDRESS is not set.
 */
export function temporalConnection(env: Env): TemporalConnectConfig {
  const overrides = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (!overrides.TEMPORAL_ADDRESS && overrides.TEMPORAL_GRPC_ENDPOINT) {
    overrides.TEMPORAL_ADDRESS = overrides.TEMPORAL_GRPC_ENDPOINT;
  }
  if (overrides.TEMPORAL_API_KEY !== undefined) {
    overrides.TEMPORAL_API_KEY = apiKeyOf(overrides.TEMPORAL_API_KEY);
  }
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: overrides });
  } catch (error) {
    throw new ConfigError(`Temporal client configuration is invalid: ${String(error)}`);
  }
  if (!loaded.connectionOptions.address) {
    throw new ConfigError('TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)');
  }
  return { ...loaded, namespace: loaded.namespace ?? 'default' };
}

/**
 * The API key without the line break that `--secret-string file://key` or an editor adds:
 * untrimmed, the core drops the `authorization` header and the server answers
 * UNAUTHENTICATED. Whitespace inside the key is refused: no Temporal key holds any.
 */
function apiKeyOf(value: string): string {
  const key = value.trim();
  if (key === '' || /\s/.test(key)) {
    throw new ConfigError(
      'TEMPORAL_API_KEY must be one API key without spaces or line breaks inside it (store it with `printf %s "$KEY"`, not echo)',
    );
  }
  return key;
}
