/**
 * Temporal Cloud billable Actions, counted from one workflow's event history.
 *
 * The rules follow "Temporal Cloud Actions" (https://docs.temporal.io/evaluate/cloud/actions,
 * read 2026-11-26; docs/performance.md lists them). What a history cannot show is not counted
 * here: Queries, Activity Heartbeats, rejected Updates, Workflow Task heartbeats, Export.
 * A signal is billed in the signalled workflow's history (WorkflowExecutionSignaled), not in
 * the sender's (SignalExternalWorkflowExecutionInitiated), so count both workflows.
 */
// The package is CommonJS without static exports: Node's ESM loader (tsx) finds no names.
import proto, { type temporal as protoTypes } from '@temporalio/proto';

const { temporal } = proto;

type History = protoTypes.api.history.v1.IHistory;
type HistoryEvent = protoTypes.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

/** The version marker the SDK upserts for `patched()`: exempt from billing. */
const CHANGE_VERSION = 'TemporalChangeVersion';

export interface ActionCount {
  /** Billable Actions found in the history. */
  actions: number;
  /**
   * Of which spent waiting: every timer, and every activity scheduled by a workflow task
   * that a fired timer woke (the check after a backoff sleep, a park's recheck). A wait
   * whose check is several activities in a row counts only the first.
   */
  pollActions: number;
  /** History events. */
  events: number;
  /** Actions by kind, for reading a figure back to its source. */
  byKind: Record<string, number>;
}

/** Actions one event bills; local activities are counted per workflow task separately. */
function actionsOf(event: HistoryEvent): [kind: string, count: number] | undefined {
  switch (event.eventType) {
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      return ['workflowStarted', 1];
    case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      return ['activityScheduled', 1];
    case T.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
      // Retries write no events of their own: the started event carries the last attempt.
      const retries = (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1;
      return retries > 0 ? ['activityRetried', retries] : undefined;
    }
    case T.EVENT_TYPE_TIMER_STARTED:
      return ['timerStarted', 1];
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      return ['signalReceived', 1];
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      return ['updateAccepted', 1];
    case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const fields =
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      const keys = Object.keys(fields ?? {}).filter((key) => key !== CHANGE_VERSION);
      return keys.length > 0 ? ['searchAttributesUpserted', 1] : undefined;
    }
    case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      // The intent and the attempt to start: two Actions.
      return ['childWorkflowStarted', 2];
    case T.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
      return ['optionsUpdated', 1];
    case T.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
    case T.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
      return ['nexusOperation', 1];
    case T.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      return event.workflowTaskFailedEventAttributes?.cause ===
        temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        ? ['workflowReset', 1]
        : undefined;
    case T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
      const retries =
        event.workflowTaskCompletedEventAttributes?.meteringMetadata
          ?.nonfirstLocalActivityExecutionAttempts ?? 0;
      return retries > 0 ? ['localActivityRetried', retries] : undefined;
    }
    default:
      return undefined;
  }
}

/** Counts the billable Actions in `history` (one run of one workflow). */
export function countActions(history: History): ActionCount {
  const events = history.events ?? [];
  const byKind: Record<string, number> = {};
  const add = (kind: string, n: number) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  let actions = 0;
  let pollActions = 0;
  // Whether the last completed workflow task was woken by a fired timer. Walked in order
  // rather than through event ids: the time-skipping server leaves `startedEventId` out.
  let timerFired = false;
  let wokenByTimer = false;
  let task = 0;
  // All markers recorded by one workflow task bill one Action (local activities; a
  // `patched()` marker, should one return, is a marker too and would be counted).
  const markerTasks = new Set<number>();
  for (const event of events) {
    if (event.eventType === T.EVENT_TYPE_TIMER_FIRED) timerFired = true;
    if (event.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      // Events that arrive while a task runs are written after it completes: a timer that
      // fired before this point woke this task.
      wokenByTimer = timerFired;
      timerFired = false;
      task += 1;
    }
    if (event.eventType === T.EVENT_TYPE_MARKER_RECORDED) {
      markerTasks.add(task);
      continue;
    }
    const billed = actionsOf(event);
    if (!billed) continue;
    const [kind, n] = billed;
    add(kind, n);
    actions += n;
    if (kind === 'timerStarted' || (kind === 'activityScheduled' && wokenByTimer)) {
      pollActions += n;
    }
  }
  if (markerTasks.size > 0) add('markersRecorded', markerTasks.size);
  actions += markerTasks.size;
  return { actions, pollActions, events: events.length, byKind };
}

/** The history as Temporal stores it (protobuf), in bytes: what storage is billed on. */
export function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}
