/** The saga's search attributes as typed keys: the workflow upserts them, starters set them. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from './names';

export const ORDER_ID_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.orderId,
  SearchAttributeType.KEYWORD,
);
export const RUNNER_ID_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.runnerId,
  SearchAttributeType.KEYWORD,
);

export const SAGA_STATE_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.sagaState,
  SearchAttributeType.KEYWORD,
);

/** Keys of the saga's search attributes, registered on every namespace it runs in. */
export const SEARCH_ATTRIBUTE_KEYS = [
  ORDER_ID_ATTRIBUTE,
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
] as const;
