import { CONTROLLER_ACTOR, type Pipeline, type RecordEntry, type Webhook } from "../model/index.js";
import { oneLine, slackEscape } from "./payload.js";

/** The body of a pipeline's `format: json` notification: one entry of its record. */
export interface PipelinePayload {
  pipeline: string;
  namespace?: string;
  /** Left out for an entry about the release as a whole (a person rejecting it). */
  stage?: string;
  release: string;
  /** What happened: ApprovalRequested, Approved, Denied, Expired, Rejected, Promoted, RolledBack, Failed, ... */
  type: RecordEntry["type"];
  /** Who: an API token's name, a Kubernetes user, or `sluice` for the controller's own decisions. */
  actor: string;
  /** Why, with the numbers: who may approve and until when, the failed analysis, the person's reason. */
  reason: string;
  /** When the entry was recorded (ISO 8601). */
  time: string;
}

/** What a webhook is sent about one record entry of one pipeline. */
export interface NotifiedEntry {
  pipeline: Pipeline;
  entry: RecordEntry;
}

// The entries the planner records as Warning events; Slack marks them the same way.
const WARNINGS = new Set<RecordEntry["type"]>(["Failed", "Rejected", "Expired", "Denied", "PromoteRefused"]);

/** The request body for a webhook's format. */
export function pipelinePayload(format: Webhook["format"], { pipeline, entry }: NotifiedEntry): object {
  const namespace = pipeline.metadata.namespace;
  if (format === "slack") {
    const icon = WARNINGS.has(entry.type) ? ":warning: " : "";
    return { text: slackEscape(`${icon}${slackText(pipeline, entry)}`) };
  }
  const payload: PipelinePayload = {
    pipeline: pipeline.metadata.name,
    ...(namespace ? { namespace } : {}),
    ...(entry.stage ? { stage: entry.stage } : {}),
    release: entry.release,
    type: entry.type,
    actor: entry.actor,
    reason: entry.reason,
    time: entry.time,
  };
  return payload;
}

/** One line a person reads in a channel, saying what to run when it waits for them. */
function slackText(pipeline: Pipeline, entry: RecordEntry): string {
  const { name, namespace } = pipeline.metadata;
  const who = namespace ? `${namespace}/${name}` : name;
  const { release, stage, type } = entry;
  const reason = oneLine(entry.reason);
  const by = entry.actor === CONTROLLER_ACTOR ? "" : ` by ${entry.actor}`;
  const why = reason ? `: ${reason}` : "";
  switch (type) {
    case "ApprovalRequested":
      return `${who}: ${release} waits for approval in ${stage}${reason ? ` (${reason})` : ""} — sluice approve ${name} ${stage} --release ${release} --reason …`;
    case "Approved":
    case "Denied":
      return `${who}: ${release} ${type.toLowerCase()} for ${stage}${by}${why}`;
    case "Promoted":
      return `${who}: ${release} promoted into ${stage}${by}${why}`;
    case "RolledBack":
      return `${who}: ${stage} rolled back to ${release}${by}${why}`;
    case "Failed":
      return `${who}: ${release} failed in ${stage}${why}`;
    case "Rejected":
      return `${who}: ${release} is rejected${by} and goes to no further stage${why}`;
    default:
      return `${who}: ${release}${stage ? ` in ${stage}` : ""}: ${type}${by}${why}`;
  }
}
