import {
  DEFAULT_NOTIFICATION_REASONS,
  NOTIFICATION_FAILED,
  type Notification,
  type Pipeline,
  type RecordEntry,
  type Rollout,
} from "../model/index.js";
import type { EventRecord } from "../ports/control-plane.js";

/** Pipeline events notified when a notification lists no `on`: those where a person has to act. */
export const DEFAULT_PIPELINE_NOTIFICATION_EVENTS = [
  "ApprovalRequested",
  "Expired",
  "Rejected",
  "Failed",
] as const satisfies readonly RecordEntry["type"][];

/** The event reasons a rollout's notification is sent for. */
export function reasonsOf(notification: Notification): readonly string[] {
  return notification.on ?? DEFAULT_NOTIFICATION_REASONS;
}

/**
 * The notifications of a rollout that an event of it triggers. A NotificationFailed event
 * triggers none, whatever `on` says, so a failing webhook cannot feed on its own failures.
 */
export function matchingNotifications(rollout: Rollout, event: Pick<EventRecord, "reason">): Notification[] {
  if (event.reason === NOTIFICATION_FAILED) return [];
  return (rollout.spec.notifications ?? []).filter((n) => reasonsOf(n).includes(event.reason));
}

/**
 * The notifications of a pipeline that one of its record entries triggers: those whose `on` lists
 * the entry's type ({@link DEFAULT_PIPELINE_NOTIFICATION_EVENTS} without `on`). Driven by the record,
 * not by events, so approvals people give (recorded by the API, with no event) are notified too.
 */
export function matchingPipelineNotifications(pipeline: Pipeline, entry: Pick<RecordEntry, "type">): Notification[] {
  return (pipeline.spec.notifications ?? []).filter((n) =>
    (n.on ?? (DEFAULT_PIPELINE_NOTIFICATION_EVENTS as readonly string[])).includes(entry.type),
  );
}
