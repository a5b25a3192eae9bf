import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../common/temporal-config';
import { loadWorkerConfig } from '../worker/config';
import { type AuthProxy, startAuthProxy } from './support/auth-proxy';
import { WORKER_SETTINGS } from './support/worker-settings';

/**
 * A key stored with `--secret-string file://worker.key` often ends in a line break. The
 * worker's core would then send no `authorization` header and Temporal Cloud answers
 * UNAUTHENTICATED: the first Worker stack create rolls back. A proxy in front of the dev
 * server checks the header as Temporal Cloud does.
 */
describe('Worker: the Temporal API key as Secrets Manager hands it over', () => {
  let proxy: AuthProxy;
  beforeAll(async () => {
    proxy = await startAuthProxy(inject('temporalAddress'), 'key-1');
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const configWithKey = (key: string) =>
    loadWorkerConfig(
      {
        ...WORKER_SETTINGS,
        TEMPORAL_ADDRESS: proxy.address,
        TEMPORAL_NAMESPACE: inject('temporalNamespace'),
        TEMPORAL_API_KEY: key,
        // The proxy speaks cleartext HTTP/2; Temporal Cloud is reached over TLS.
        TEMPORAL_TLS: 'false',
      },
      '/bundle.js',
    );

  it('connects with a key that ends in a line break, as a file written by echo does', async () => {
    const { temporal } = configWithKey('key-1\n');
    expect(temporal.connectionOptions.apiKey).toBe('key-1');
    const connection = await NativeConnection.connect(temporal.connectionOptions);
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeDefined();
      expect(proxy.refused).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it.each([
    ['a space inside', 'key 1'],
    ['a line break inside', 'key\n1'],
    ['nothing but whitespace', ' \n'],
  ])('refuses a key with %s, naming the variable', (_, key) => {
    expect(() => configWithKey(key)).toThrow(ConfigError);
    expect(() => configWithKey(key)).toThrow(/TEMPORAL_API_KEY/);
  });
});
