/**
 * Temporal Cloud credentials for Lambda. The secret's ARN is in the environment, never its
 * value; the value is read from Secrets Manager once per container, on first use.
 */
import type { ConnectionOptions } from '@temporalio/client';
import { ConfigError } from '../../common/temporal-config';

export type SecretKind = 'apiKey' | 'mtls';

/** Connection options that the secret's value adds (API key, or mTLS key pair). */
export function credentialsFrom(kind: SecretKind, value: string): Partial<ConnectionOptions> {
  if (kind === 'apiKey') return { apiKey: value.trim(), tls: true };
  let pair: { cert?: unknown; key?: unknown };
  try {
    pair = JSON.parse(value) as typeof pair;
  } catch {
    throw new ConfigError('the Temporal mTLS secret must be JSON {"cert": PEM, "key": PEM}');
  }
  if (typeof pair.cert !== 'string' || typeof pair.key !== 'string') {
    throw new ConfigError('the Temporal mTLS secret must have string fields "cert" and "key"');
  }
  return { tls: { clientCertPair: { crt: Buffer.from(pair.cert), key: Buffer.from(pair.key) } } };
}

/** Reads TEMPORAL_SECRET_ARN (kind TEMPORAL_SECRET_KIND) when set; {} otherwise. */
export async function secretCredentials(
  env: Record<string, string | undefined>,
): Promise<Partial<ConnectionOptions>> {
  const arn = env.TEMPORAL_SECRET_ARN;
  if (!arn) return {};
  const kind = env.TEMPORAL_SECRET_KIND ?? 'apiKey';
  if (kind !== 'apiKey' && kind !== 'mtls')
    throw new ConfigError('TEMPORAL_SECRET_KIND must be apiKey or mtls');
  // Loaded only when needed: keeps the SDK out of cold starts that do not use it.
  const { SecretsManagerClient, GetSecretValueCommand } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const reply = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: arn }),
  );
  if (!reply.SecretString)
    throw new ConfigError('TEMPORAL_SECRET_ARN names a secret without a string value');
  return credentialsFrom(kind, reply.SecretString);
}
