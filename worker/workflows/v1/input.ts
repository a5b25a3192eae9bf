import { workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../../../common/workflow-safe/failure-types';
import { describeInvalidId } from '../../../common/workflow-safe/ids';
import { workflowIdFor } from '../../../common/workflow-safe/names';
import type { CompleteOrderInput } from '../../../common/workflow-safe/saga-contract';
import { sagaFailure } from '../failures';
import {
  V1_DEFAULT_SETTINGS as DEFAULT_SAGA_SETTINGS,
  type SagaSettingsV1 as SagaSettings,
} from './settings';

export interface ParsedInput {
  orderId: string;
  runnerId: string;
  settings: SagaSettings;
}

function invalid(message: string): never {
  throw sagaFailure(FailureType.InvalidInput, `invalid workflow input: ${message}`);
}

function parseSettings(raw: unknown): SagaSettings {
  if (raw === undefined) return DEFAULT_SAGA_SETTINGS;
  if (typeof raw !== 'object' || raw === null) invalid('settings must be an object');
  const settings = { ...DEFAULT_SAGA_SETTINGS };
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(DEFAULT_SAGA_SETTINGS, key)) invalid(`unknown setting ${key}`);
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      invalid(`setting ${key} must be a positive integer`);
    }
    settings[key as keyof SagaSettings] = value as number;
  }
  return settings;
}

/**
 * Checks the input before any activity runs. The workflow id must be the one derived from
 * the order id: that is what makes a second saga for the same order impossible.
 */
export function parseInput(raw: unknown): ParsedInput {
  if (typeof raw !== 'object' || raw === null) invalid('expected an object');
  const input = raw as Partial<CompleteOrderInput>;
  const problem =
    describeInvalidId('orderId', input.orderId) ?? describeInvalidId('runnerId', input.runnerId);
  if (problem) invalid(problem);
  const orderId = input.orderId as string;
  if (workflowInfo().workflowId !== workflowIdFor(orderId)) {
    invalid(`workflow id must be ${workflowIdFor(orderId)}`);
  }
  return { orderId, runnerId: input.runnerId as string, settings: parseSettings(input.settings) };
}
