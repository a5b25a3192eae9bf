/**
 * The CloudFormation custom resources of a worker deploy (ADR 0012), one function for both:
 * - `check`, before any worker task changes: fails the deploy, with nothing changed yet,
 *   when it would leave a version that is current or still has sagas without workers;
 * - `promote`, after the new tasks are steady (and so healthy): makes the new version the
 *   one new sagas start on.
 * Deleting either changes nothing. Every outcome is reported to CloudFormation, so a
 * failure fails the stack update instead of leaving it waiting for an hour.
 */
import { apiConfig } from '../config';
import { logger } from '../logger';
import { temporalClient } from '../temporal/client';
import { assertNothingStranded, promoteWhenPolling, type VersionTarget } from './versions';

export interface VersionProperties {
  Action: 'check' | 'promote';
  DeploymentName: string;
  BuildId: string;
  /** Versions whose workers this deploy keeps running (draining services). */
  KeepBuildIds?: string[];
  TaskQueue: string;
  /** How long `promote` waits for the new version's pollers to show (default 0). */
  WaitForPollersSeconds?: string;
}

export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: VersionProperties;
}

async function apply(properties: VersionProperties): Promise<string> {
  const client = await temporalClient();
  const target: VersionTarget = {
    namespace: apiConfig().temporal.namespace,
    deploymentName: properties.DeploymentName,
    buildId: properties.BuildId,
  };
  if (properties.Action === 'check') {
    await assertNothingStranded(client, target, properties.KeepBuildIds ?? []);
    return `nothing stranded by deploying ${target.buildId}`;
  }
  const waitMs = Number(properties.WaitForPollersSeconds ?? 0) * 1000;
  const previous = await promoteWhenPolling(client, target, properties.TaskQueue, { waitMs });
  return `${target.buildId} is current (was ${previous ?? 'none'})`;
}

/** The answer CloudFormation waits for, PUT to the pre-signed URL it gave. */
async function respond(event: CustomResourceEvent, failure: string | undefined): Promise<void> {
  const { DeploymentName, Action } = event.ResourceProperties;
  const body = JSON.stringify({
    Status: failure === undefined ? 'SUCCESS' : 'FAILED',
    Reason: failure ?? 'ok',
    PhysicalResourceId: event.PhysicalResourceId ?? `${DeploymentName}/${Action}`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  // The URL is signed without a content type: sending one would invalidate it.
  const reply = await fetch(event.ResponseURL, {
    method: 'PUT',
    body,
    headers: { 'content-type': '' },
  });
  if (!reply.ok) throw new Error(`CloudFormation response rejected: ${reply.status}`);
}

/** Time kept to answer CloudFormation before the function itself is stopped. */
const ANSWER_MARGIN_MS = 15_000;

/** Rejects when `work` outlasts `ms`: a hung call must still end in an answer. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Temporal within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function handler(
  event: CustomResourceEvent,
  context?: { getRemainingTimeInMillis(): number },
): Promise<void> {
  let failure: string | undefined;
  try {
    if (event.RequestType !== 'Delete') {
      const budget = (context?.getRemainingTimeInMillis() ?? 300_000) - ANSWER_MARGIN_MS;
      const outcome = await within(budget, apply(event.ResourceProperties));
      logger.info('worker version', { outcome });
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    logger.error('worker version refused', { failure, properties: event.ResourceProperties });
  }
  await respond(event, failure);
}
