import type { EventRecord } from "../controller/control-plane.js";
import { DEFAULT_NOTIFICATION_REASONS, NOTIFICATION_FAILED, type Notification, type Rollout } from "../model/index.js";

/** The event reasons a notification is sent for. */
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
