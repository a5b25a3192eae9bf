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
