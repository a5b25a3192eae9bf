import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CustomResourceEvent,
  handler,
  type VersionProperties,
} from '../functions/versions/handler';
import { deploymentState } from '../functions/versions/versions';
import { createSagaWorker } from '../worker/create-worker';
import { useHarness } from './support/harness';

interface CloudFormationReply {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  RequestId: string;
  contentType: string | undefined;
}

/**
 * The deploy's custom resource function against a real server, answering a loopback stand-in
 * for CloudFormation's pre-signed response URL (the one part of AWS in the loop).
 */
describe('Function: worker version custom resource', () => {
  const h = useHarness({ api: true, noWorker: true });
  const deploymentName = `cfn-${randomUUID().slice(0, 8)}`;
  const replies: CloudFormationReply[] = [];
  let cloudFormation: Server;
  let responseUrl: string;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    cloudFormation = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        replies.push({ ...JSON.parse(body), contentType: request.headers['content-type'] });
        response.writeHead(200).end();
      });
    });
    cloudFormation.listen(0, '127.0.0.1');
    await once(cloudFormation, 'listening');
    responseUrl = `http://127.0.0.1:${(cloudFormation.address() as AddressInfo).port}/signed`;
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await createSagaWorker({
      connection,
      namespace: inject('temporalNamespace'),
      services: h.sandbox.urls,
      httpTimeoutMs: 2_000,
      workflows: { bundlePath: inject('workflowBundlePath') },
      taskQueue: h.taskQueue,
      deployment: { deploymentName, buildId: 'b1' },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    cloudFormation?.close();
  });

  async function invoke(
    properties: Partial<VersionProperties>,
    requestType: CustomResourceEvent['RequestType'] = 'Create',
    remainingMs = 300_000,
  ): Promise<CloudFormationReply> {
    const RequestId = randomUUID();
    const context = { getRemainingTimeInMillis: () => remainingMs };
    await handler(
      {
        RequestType: requestType,
        ResponseURL: responseUrl,
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Worker/1',
        RequestId,
        LogicalResourceId: 'Promote',
        ResourceProperties: {
          Action: 'promote',
          DeploymentName: deploymentName,
          BuildId: 'b1',
          TaskQueue: h.taskQueue,
          ...properties,
        },
      },
      context,
    );
    const reply = replies.find((r) => r.RequestId === RequestId);
    if (!reply) throw new Error('the handler did not answer CloudFormation');
    return reply;
  }

  it('answers FAILED, with the reason, when the new version has no workers', async () => {
    const reply = await invoke({ BuildId: 'b-without-workers' });
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toContain('b-without-workers has no live poller');
    expect(reply.contentType).toBe('');
  });

  it('promotes the version its workers poll as, and answers SUCCESS', async () => {
    const reply = await invoke({ WaitForPollersSeconds: '30' });
    expect(reply).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `${deploymentName}/promote`,
    });
    const state = await deploymentState(h.client, inject('temporalNamespace'), deploymentName);
    expect(state.current).toBe('b1');
  });

  it('refuses, in the check, a deploy that would drop the current version', async () => {
    const reply = await invoke({ Action: 'check', BuildId: 'b2' });
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toContain('worker.versioning.drainingBuildIds');
    expect((await invoke({ Action: 'check', BuildId: 'b2', KeepBuildIds: ['b1'] })).Status).toBe(
      'SUCCESS',
    );
  });

  it('answers FAILED before the function runs out of time, rather than never', async () => {
    const properties = { BuildId: 'b-without-workers', WaitForPollersSeconds: '60' };
    const reply = await invoke(properties, 'Update', 15_500);
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toBe('no answer from Temporal within 500 ms');
  });

  it('changes nothing when the resource is deleted', async () => {
    const reply = await invoke({ BuildId: 'b-without-workers' }, 'Delete');
    expect(reply.Status).toBe('SUCCESS');
    const state = await deploymentState(h.client, inject('temporalNamespace'), deploymentName);
    expect(state.current).toBe('b1');
  });
});
