/**
 * Secrets Manager on loopback (AWS is the one part these tests may fake): answers
 * GetSecretValue with the current value, counts reads, and can stop answering. The real
 * AWS SDK reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  url: string;
  /** The value GetSecretValue returns. */
  value: string;
  /** GetSecretValue calls received. */
  reads: number;
  /** When true, requests are accepted and never answered. */
  silent: boolean;
  /** Environment the AWS SDK needs to call it: endpoint, region, dummy credentials. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(value: string): Promise<FakeSecretsManager> {
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InvalidRequestException', message: 'unsupported' }));
        return;
      }
      fake.reads++;
      if (fake.silent) {
        hanging.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: ARN, Name: 'temporal', SecretString: fake.value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeSecretsManager = {
    url,
    value,
    reads: 0,
    silent: false,
    env: () => ({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      TEMPORAL_SECRET_ARN: ARN,
      TEMPORAL_SECRET_KIND: 'apiKey',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:complete-order/temporal-AbCdEf';
