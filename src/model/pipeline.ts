import { z } from "zod";
import { Duration, durationMs } from "./duration.js";
import { API_VERSION, ObjectMeta } from "./meta.js";
import { Notification } from "./notification.js";
import { RolloutAnalysis } from "./strategy.js";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_MESSAGE = "must be lowercase letters, digits and '-', starting and ending with a letter or digit";

/** A stage name: a short DNS label, so analysis run names built from it stay within 63 characters. */
export const StageName = z.string().min(1).max(40).regex(NAME_RE, NAME_MESSAGE);

/** A registered target cluster's name (`sluice cluster add NAME`): a short DNS label, as its Secret's name embeds it. */
export const ClusterName = z.string().min(1).max(40).regex(NAME_RE, NAME_MESSAGE);

/** Longest wait any pipeline duration may ask for: 90 days. Longer is a typo, and dates stay in range. */
export const MAX_PIPELINE_DURATION_MS = 90 * 24 * 3_600_000;

/** A {@link Duration} of at most 90 days. */
export const PipelineDuration = Duration.refine(
  (d) => (typeof d === "number" || d.length <= 32) && durationMs(d) <= MAX_PIPELINE_DURATION_MS,
  { message: "must be at most 90 days (2160h)" },
);

const DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const TIME = "(([01]\\d|2[0-3]):[0-5]\\d|24:00)";
/** `Mon-Fri`, `Sat,Sun`, `Mon-Wed,Fri`: days of the week, ranges may wrap (`Fri-Mon`). */
export const DAYS_RE = new RegExp(`^${DAY}(-${DAY})?(,${DAY}(-${DAY})?)*$`);
/** `HH:MM` (a daily time) or `Day HH:MM` (a time in the week); `24:00` is the end of the day. */
export const SCHEDULE_TIME_RE = new RegExp(`^(${DAY} )?${TIME}$`);

/**
 * One stretch of time, in the window's time zone. Either a daily range on some days
 * (`{days: "Mon-Fri", from: "09:00", to: "17:00"}`; `days` defaults to every day; a range whose
 * `to` is earlier than `from` runs past midnight) or one span in the week
 * (`{from: "Fri 16:00", to: "Mon 08:00"}`). `from` is included, `to` is not.
 */
export const ScheduleRange = z
  .strictObject({
    days: z.string().max(64).regex(DAYS_RE, 'use day names and ranges like "Mon-Fri" or "Sat,Sun"').optional(),
    from: z.string().max(9).regex(SCHEDULE_TIME_RE, 'use "HH:MM" or "Day HH:MM", like "16:00" or "Fri 16:00"'),
    to: z.string().max(9).regex(SCHEDULE_TIME_RE, 'use "HH:MM" or "Day HH:MM", like "08:00" or "Mon 08:00"'),
  })
  .check((ctx) => {
    const { days, from, to } = ctx.value;
    const weekly = [from, to].filter((t) => t.includes(" ")).length;
    if (weekly === 1)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "give a day in both from and to, or in neither" });
    else if (weekly === 2 && days !== undefined)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "days is for daily ranges; from and to name days" });
    if (from.startsWith("24:00") || from.endsWith(" 24:00"))
      ctx.issues.push({ code: "custom", input: ctx.value, message: "from cannot be 24:00; use 00:00" });
    if (from === to)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "from and to are equal: empty range" });
  });
export type ScheduleRange = z.infer<typeof ScheduleRange>;

/** True when `tz` is an IANA time zone this Node.js knows (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * When a release may enter a stage. Open when the time falls in some `allow` range (or `allow` is
 * left out) and in no `deny` range. A promotion that started inside the window runs to its end.
 */
export const ChangeWindow = z.strictObject({
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .refine(isTimeZone, { message: 'unknown time zone; use an IANA name like "Europe/Berlin" or "UTC"' }),
  allow: z.array(ScheduleRange).max(32).optional(),
  deny: z.array(ScheduleRange).max(32).default([]),
});
export type ChangeWindow = z.infer<typeof ChangeWindow>;

/** Who may approve: anyone holding one of `roles`, or anyone named in `names`. Both left out: any approver. */
export const Approvers = z.strictObject({
  roles: z.array(z.string().min(1).max(63)).max(20).optional(),
  names: z.array(z.string().min(1).max(253)).max(100).optional(),
});
export type Approvers = z.infer<typeof Approvers>;

/** A durable manual approval: `required` distinct people must approve before `timeout` runs out. */
export const ApprovalGate = z.strictObject({
  required: z.number().int().min(1).max(20).default(1),
  from: Approvers.default({}),
  timeout: PipelineDuration.refine((d) => durationMs(d) >= 1000, { message: "must be at least 1s" }).default("24h"),
  /** `wait`: the request expires and a new one starts at once; `reject`: the release is rejected. */
  onTimeout: z.enum(["wait", "reject"]).default("wait"),
});
export type ApprovalGate = z.infer<typeof ApprovalGate>;

/** A one-shot test run before a release enters a stage, such as an integration suite or a security scan. */
export const CheckGate = RolloutAnalysis.extend({ name: z.string().min(1).max(20).regex(NAME_RE, NAME_MESSAGE) });
export type CheckGate = z.infer<typeof CheckGate>;

/** One environment a release goes through, and the gates it passes to enter it. */
export const PipelineStage = z.strictObject({
  name: StageName,
  /** The Rollout this stage changes; its own strategy then runs as usual. */
  rollout: z.string().min(1).max(63).regex(NAME_RE, NAME_MESSAGE),
  /** Kubernetes namespace of the rollout; defaults to the pipeline's. */
  namespace: z.string().min(1).max(63).regex(NAME_RE, NAME_MESSAGE).optional(),
  /**
   * The registered cluster (a kubeconfig Secret in the pipeline's namespace, see `sluice cluster add`)
   * whose Sluice controller runs this stage's rollout. Left out: the pipeline's own cluster.
   */
  cluster: ClusterName.optional(),
  /** The stages a release must have passed first. Default: the stage before it in the list (none for the first). */
  after: z.array(StageName).max(20).optional(),
  /** Analysis run against each previous stage's stable revision of the release. */
  verification: RolloutAnalysis.optional(),
  checks: z.array(CheckGate).max(10).optional(),
  /** How long the release must have been Healthy in each previous stage. */
  soak: PipelineDuration.optional(),
  approval: ApprovalGate.optional(),
  window: ChangeWindow.optional(),
  /** false: a release that passed every gate waits for `sluice pipeline promote`. An approval already is that person. */
  autoPromote: z.boolean().default(true),
});
export type PipelineStage = z.infer<typeof PipelineStage>;

export const PipelineSpec = z.strictObject({
  stages: z.array(PipelineStage).min(1).max(20),
  /** `rollbackEarlier`: when a release fails in a stage, earlier stages running it go back to the last release that passed there. */
  onFailure: z.enum(["leave", "rollbackEarlier"]).default("leave"),
  /** Webhooks told about the pipeline's record: approvals requested, given, expired, rejections (docs/notifications.md). */
  notifications: z.array(Notification).max(20).optional(),
});
export type PipelineSpec = z.infer<typeof PipelineSpec>;

export const Pipeline = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Pipeline"),
  metadata: ObjectMeta,
  spec: PipelineSpec,
  status: z.record(z.string(), z.unknown()).optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;

/** The stages a stage follows, with the default applied: the previous stage in the list. */
export function stageAfter(spec: PipelineSpec, index: number): string[] {
  const stage = spec.stages[index];
  if (stage?.after !== undefined) return stage.after;
  const previous = spec.stages[index - 1];
  return previous === undefined ? [] : [previous.name];
}

/** What a record entry says happened. Entries written by people (through the API) carry their identity as actor. */
export const RecordEntryType = z.enum([
  /** The stage's rollout started running the release. */
  "Entered",
  /** The release became Healthy in the stage: it passed that stage. */
  "Healthy",
  /** Verification of the previous stages passed for entering the stage. */
  "Verified",
  /** One gate (`gate`) passed for entering the stage. */
  "GatePassed",
  "ApprovalRequested",
  /** A person approved the release for the stage (written by the API). */
  "Approved",
  /** A person denied the release for the stage (written by the API); the release is rejected. */
  "Denied",
  /** An approval request ran out of time. */
  "Expired",
  /** A person asked for the release in the stage (written by the API); carried out once the gates allow. */
  "PromoteRequested",
  /** A promote request that cannot be carried out (the release is rejected or has not passed the stages before). */
  "PromoteRefused",
  /** The stage's rollout was changed to the release. */
  "Promoted",
  /** The stage's rollout was changed back to an earlier release. */
  "RolledBack",
  /** The release failed in the stage (its rollout aborted) or at a gate for entering it. */
  "Failed",
  /** The release may enter no further stage. */
  "Rejected",
  /** A person lifted a rejection (written by the API); the release's gates run again. */
  "Unrejected",
  /** A person asked for the stage's verification and checks to run again (written by the API). */
  "Retried",
]);
export type RecordEntryType = z.infer<typeof RecordEntryType>;

/** The gates a release passes to enter a stage, as record entries and stage views name them. */
export const GateName = z.enum(["verification", "checks", "soak", "approval", "window", "promote"]);
export type GateName = z.infer<typeof GateName>;

/** The actor the controller records for its own decisions. */
export const CONTROLLER_ACTOR = "sluice";

/**
 * One line of a pipeline's record: durable, append-only, attributable. The store keeps entries in
 * the order they were appended; the planner reads them in that order.
 */
export const RecordEntry = z.strictObject({
  /** RFC 3339 time the entry was written. */
  time: z.iso.datetime({ offset: true }),
  pipeline: z.string().min(1).max(63),
  release: z.string().min(1).max(63),
  /** Left out for entries about the release as a whole (Rejected by a person, Unrejected). */
  stage: StageName.optional(),
  type: RecordEntryType,
  /** Who: an API token's name, a Kubernetes user, or {@link CONTROLLER_ACTOR}. */
  actor: z.string().min(1).max(253),
  /** The roles the actor held when acting, as the API authenticated them; approvals are checked against these. */
  actorRoles: z.array(z.string().min(1).max(63)).max(20).optional(),
  reason: z.string().max(1024).default(""),
  gate: GateName.optional(),
  /** The analysis run the entry is about. */
  run: z.string().max(63).optional(),
});
export type RecordEntry = z.infer<typeof RecordEntry>;
