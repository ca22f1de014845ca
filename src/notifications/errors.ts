/** The resources that have notifications. */
export type NotifiedKind = "Rollout" | "Pipeline";

/**
 * A notification that could not be delivered: its webhook URL could not be resolved, or the
 * webhook did not accept the request (also on the retry). The message is one line naming the
 * notification and what it was for, and never the URL, which often is a secret (Slack's are).
 */
export class NotificationError extends Error {
  override readonly name = "NotificationError";
  constructor(
    message: string,
    readonly kind: NotifiedKind,
    /** The rollout or pipeline the notification belongs to. */
    readonly resource: string,
    readonly notification: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
