/**
 * The floor's activities (bench/floor-workflow.ts): no-ops, and the one that starts the
 * second workflow through the activity's client as the saga's claim activity does. Used by
 * the saga section's in-process worker and by the CPU floor's own process.
 */
import { Context } from '@temporalio/activity';
import { type FloorActivities, floorClaimId } from './floor-workflow';

export const floorActivities: FloorActivities = {
  async noop() {},
  async startClaim(sagaId) {
    const { client, info } = Context.current();
    await client.workflow.start('FloorClaimWorkflow', {
      workflowId: floorClaimId(sagaId),
      taskQueue: info.taskQueue,
    });
  },
};
