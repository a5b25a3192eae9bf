/** The saga's query and Update, defined once for the workflow and for every caller. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { PROGRESS_QUERY } from '../../common/workflow-safe/names';
import {
  DECIDE_UPDATE,
  type DecisionRecord,
  type OperatorDecision,
} from '../../common/workflow-safe/operator';
import type { SagaProgress } from '../../common/workflow-safe/saga-contract';

export const progressQuery = defineQuery<SagaProgress>(PROGRESS_QUERY);

/** An operator's decision for a parked saga; answers with the decision as recorded. */
export const decideUpdate = defineUpdate<DecisionRecord, [OperatorDecision]>(DECIDE_UPDATE);
