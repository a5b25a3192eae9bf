/**
 * What a worker deploy asks Temporal (ADR 0012): may this version go out without
 * stranding a saga, and, once its workers poll, make it the version new sagas start on.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Client, isGrpcServiceError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { TaskQueueType } = temporal.api.enums.v1;

/** A deploy must not go ahead; the message says which version and which setting. */
export class VersioningError extends Error {
  override readonly name = 'VersioningError';
}

export interface VersionTarget {
  namespace: string;
  deploymentName: string;
  buildId: string;
}

interface DeploymentState {
  current: string | undefined;
  buildIds: string[];
}

/** A poller counts as live when it polled this recently (a long poll lasts about a minute). */
const LIVE_POLLER_MS = 3 * 60_000;
const NOT_FOUND = 5;
/** gRPC NOT_FOUND and FAILED_PRECONDITION. */
const NOT_YET = new Set([NOT_FOUND, 9]);

/** The deployment's current build id and every version it knows; none before its first poll. */
export async function deploymentState(
  client: Client,
  namespace: string,
  deploymentName: string,
): Promise<DeploymentState> {
  try {
    const { workerDeploymentInfo: info } = await client.workflowService.describeWorkerDeployment({
      namespace,
      deploymentName,
    });
    return {
      current: info?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined,
      buildIds: (info?.versionSummaries ?? []).flatMap((v) => v.deploymentVersion?.buildId ?? []),
    };
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === NOT_FOUND)
      return { current: undefined, buildIds: [] };
    throw error;
  }
}

/** Sagas still running on a version (visibility: seconds behind on Temporal Cloud). */
async function runningOn(client: Client, target: VersionTarget): Promise<number> {
  const version = `${target.deploymentName}:${target.buildId}`;
  const { count } = await client.workflowService.countWorkflowExecutions({
    namespace: target.namespace,
    query: `TemporalWorkerDeploymentVersion = '${version}' AND ExecutionStatus = 'Running'`,
  });
  return Number(count ?? 0);
}

/**
 * Before any task changes: every version that is current (new sagas go there until the
 * new one is promoted) or still has running sagas must be the one deployed or one kept.
 */
export async function assertNothingStranded(
  client: Client,
  target: VersionTarget,
  keep: readonly string[],
): Promise<void> {
  const { current, buildIds } = await deploymentState(
    client,
    target.namespace,
    target.deploymentName,
  );
  const covered = new Set([target.buildId, ...keep]);
  for (const buildId of buildIds.filter((id) => !covered.has(id))) {
    const running = await runningOn(client, { ...target, buildId });
    const why =
      buildId === current
        ? 'is the current version'
        : running > 0
          ? `has ${running} running sagas`
          : '';
    if (why) {
      throw new VersioningError(
        `worker version ${buildId} ${why}: list it in worker.versioning.drainingBuildIds so its workers stay until it has drained`,
      );
    }
  }
}

/** True when a worker of `target` polled `taskQueue` for `type` tasks within LIVE_POLLER_MS. */
async function polledRecently(
  client: Client,
  target: VersionTarget,
  taskQueue: string,
  type: temporal.api.enums.v1.TaskQueueType,
): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: target.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: type,
  });
  const since = Date.now() - LIVE_POLLER_MS;
  return (pollers ?? []).some(
    (p) =>
      p.deploymentOptions?.deploymentName === target.deploymentName &&
      p.deploymentOptions?.buildId === target.buildId &&
      Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since,
  );
}

/**
 * Makes `target` the current version once its workers poll `taskQueue` for workflow and
 * activity tasks; returns the version it replaced. Already current: nothing changes.
 */
export async function promoteVersion(
  client: Client,
  target: VersionTarget,
  taskQueue: string,
): Promise<string | undefined> {
  for (const type of [
    TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ]) {
    if (!(await polledRecently(client, target, taskQueue, type))) {
      throw new VersioningError(
        `worker version ${target.buildId} has no live poller on ${taskQueue} (${TaskQueueType[type]}): its tasks are not healthy`,
      );
    }
  }
  const { current } = await deploymentState(client, target.namespace, target.deploymentName);
  if (current === target.buildId) return current;
  try {
    await client.workflowService.setWorkerDeploymentCurrentVersion({
      namespace: target.namespace,
      deploymentName: target.deploymentName,
      buildId: target.buildId,
      identity: 'complete-order-saga deploy',
    });
  } catch (error) {
    // The server registers a new version's task queues shortly after its first polls; until
    // then it refuses (the version is unknown, or lacks the current version's queues).
    if (isGrpcServiceError(error) && NOT_YET.has(error.code)) {
      throw new VersioningError(
        `worker version ${target.buildId} cannot become current yet: ${error.details}`,
      );
    }
    throw error;
  }
  return current;
}

/**
 * {@link promoteVersion}, retried every `retryMs` for up to `waitMs` while the new version
 * is not ready: tasks ECS reports steady have polled, but the server lists their pollers
 * and registers their task queues a moment later.
 */
export async function promoteWhenPolling(
  client: Client,
  target: VersionTarget,
  taskQueue: string,
  { waitMs, retryMs = 5_000 }: { waitMs: number; retryMs?: number },
): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await promoteVersion(client, target, taskQueue);
    } catch (error) {
      if (!(error instanceof VersioningError) || Date.now() >= deadline) throw error;
      await delay(retryMs);
    }
  }
}
