/**
 * A notification that could not be delivered: its webhook URL could not be resolved, or the
 * webhook did not accept the request (also on the retry). The message is one line naming the
 * rollout and the notification and never the URL, which often is a secret (Slack's are).
 */
export class NotificationError extends Error {
  override readonly name = "NotificationError";
  constructor(
    message: string,
    readonly rollout: string,
    readonly notification: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
