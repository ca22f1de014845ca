import type { Rollout, Webhook } from "../model/index.js";
import type { EventRecord } from "../ports/control-plane.js";

/** The body of a `format: json` notification. */
export interface JsonPayload {
  rollout: string;
  namespace?: string;
  /** The event reason, e.g. RolloutAborted. */
  reason: string;
  type: "Normal" | "Warning";
  /** The event message, with the numbers behind the decision. */
  message: string;
  /** When the event was recorded (ISO 8601). */
  time: string;
  /** The rollout's phase once the event was recorded. */
  phase?: string;
  /** Template hash of the revision being rolled out, or of the stable one once Healthy. */
  revision?: string;
}

/** What a webhook is sent about one event of one rollout. */
export interface NotifiedEvent {
  rollout: Rollout;
  event: Pick<EventRecord, "reason" | "type" | "message" | "time">;
}

/** The request body for a webhook's format. */
export function notificationPayload(format: Webhook["format"], { rollout, event }: NotifiedEvent): object {
  const namespace = rollout.metadata.namespace;
  if (format === "slack") {
    const who = namespace ? `${namespace}/${rollout.metadata.name}` : rollout.metadata.name;
    const icon = event.type === "Warning" ? ":warning: " : "";
    const message = oneLine(event.message);
    return { text: slackEscape(`${icon}Rollout ${who}: ${event.reason}: ${message}`) };
  }
  const payload: JsonPayload = {
    rollout: rollout.metadata.name,
    ...(namespace ? { namespace } : {}),
    reason: event.reason,
    type: event.type,
    message: event.message,
    time: event.time,
    ...(rollout.status?.phase ? { phase: rollout.status.phase } : {}),
    ...(rollout.status?.currentRevision ? { revision: rollout.status.currentRevision } : {}),
  };
  return payload;
}

/** One line, so a Slack channel shows it whole; a message from a provider may span lines. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** Slack reads <...> as links and mentions; messages carry comparisons such as "0.91 < 0.99". */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
