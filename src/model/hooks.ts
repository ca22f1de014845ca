import { z } from "zod";
import { CommandProvider, JobProvider } from "./analysis.js";
import { Duration } from "./duration.js";
import { MAX_HEADERS, MAX_LABEL_VALUE_LENGTH, MAX_TEXT_LENGTH, Name, StringMap, Text } from "./limits.js";
import { WebhookUrlFrom } from "./notification.js";

/**
 * When a hook runs, with Flagger's webhook types so that `sluice import` maps them one to one
 * (docs/hooks.md). Gates (`confirm-*`) hold the rollout until the hook succeeds; checks
 * (`pre-rollout`, `rollout`) count failures; `rollback` aborts when it succeeds; `post-rollout` and
 * `event` only inform.
 */
export const HookType = z.enum([
  "confirm-rollout",
  "pre-rollout",
  "rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
  "post-rollout",
  "rollback",
  "event",
]);
export type HookType = z.infer<typeof HookType>;

/** Hook types that hold the rollout until they succeed (or a person opens them). */
export const GATE_HOOK_TYPES: readonly HookType[] = [
  "confirm-rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
];

/** At most this many hooks on one rollout: each is tried on its own schedule. */
export const MAX_HOOKS = 50;
/** At most this many tries of one hook call (the first and its retries). */
export const MAX_HOOK_RETRIES = 10;

/** A web call: POST of the hook payload (docs/hooks.md); any 2xx answer is a success. */
export const HookWebhook = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .max(MAX_TEXT_LENGTH)
      .optional(),
    /** The URL from the controller's environment or a Kubernetes Secret: it never appears in status or logs. */
    urlFrom: WebhookUrlFrom.optional(),
    headers: z
      .array(
        z
          .strictObject({ name: Name(), value: Text().optional(), valueFrom: WebhookUrlFrom.optional() })
          .check((ctx) => {
            if ((ctx.value.value === undefined) === (ctx.value.valueFrom === undefined))
              ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of value or valueFrom" });
          }),
      )
      .max(MAX_HEADERS)
      .default([]),
  })
  .check((ctx) => {
    if ((ctx.value.url === undefined) === (ctx.value.urlFrom === undefined))
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of url or urlFrom" });
  });
export type HookWebhook = z.infer<typeof HookWebhook>;

/** What a manual gate does when nobody opens it in time. */
export const GateTimeout = z.strictObject({
  after: Duration,
  /** `abort` rolls back; `continue` goes on as if opened. */
  action: z.enum(["abort", "continue"]).default("abort"),
});
export type GateTimeout = z.infer<typeof GateTimeout>;

/**
 * A lifecycle hook. Exactly one of `webhook`, `command` (local: a process; Kubernetes: a Job of
 * `command.image`), `job` (Kubernetes) or `manual` (a gate a person opens with `sluice gate open`).
 */
export const RolloutHook = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(MAX_LABEL_VALUE_LENGTH)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "use lower-case letters, digits and '-'"),
    type: HookType,
    webhook: HookWebhook.optional(),
    command: CommandProvider.optional(),
    job: JobProvider.optional(),
    manual: z.strictObject({}).optional(),
    /** One try's limit. */
    timeoutSeconds: z.number().positive().max(600).default(10),
    /** Tries after a failed one, each after a doubling backoff from `retryBackoffSeconds`. */
    retries: z.number().int().nonnegative().max(MAX_HOOK_RETRIES).default(0),
    retryBackoffSeconds: z.number().positive().max(600).default(1),
    /** How often a gate or `rollback` hook is asked again after an answer that did not open it. */
    intervalSeconds: z.number().int().positive().max(3600).default(10),
    /** `pre-rollout` and `rollout`: failures tolerated before the rollout aborts (Flagger's threshold). */
    failureLimit: z.number().int().nonnegative().max(1000).default(0),
    /** Gates: what happens when nobody (no success) opens it in time. */
    timeout: GateTimeout.optional(),
    /** Passed along in the payload's `metadata`, as Flagger's webhook metadata. */
    metadata: StringMap(MAX_TEXT_LENGTH).optional(),
  })
  .check((ctx) => {
    const h = ctx.value;
    const kinds = [h.webhook, h.command, h.job, h.manual].filter((x) => x !== undefined).length;
    if (kinds !== 1)
      ctx.issues.push({ code: "custom", input: h, message: "set exactly one of webhook, command, job or manual" });
    if (h.manual !== undefined && !GATE_HOOK_TYPES.includes(h.type))
      ctx.issues.push({
        code: "custom",
        input: h,
        path: ["manual"],
        message: `a manual hook must be a gate (${GATE_HOOK_TYPES.join(", ")}); ${h.type} needs an answer from a program`,
      });
    if (h.timeout !== undefined && !GATE_HOOK_TYPES.includes(h.type))
      ctx.issues.push({
        code: "custom",
        input: h,
        path: ["timeout"],
        message: "only gates (confirm-*) take a timeout",
      });
  });
export type RolloutHook = z.infer<typeof RolloutHook>;

/** The hooks of a rollout; names are unique so status and `sluice gate open` can name one. */
export const RolloutHooks = z
  .array(RolloutHook)
  .max(MAX_HOOKS)
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.forEach((h, i) => {
      if (seen.has(h.name))
        ctx.issues.push({
          code: "custom",
          input: h.name,
          path: [i, "name"],
          message: `hook "${h.name}" is listed twice`,
        });
      seen.add(h.name);
    });
  });

/** A canary step that waits for a person: `sluice gate open ROLLOUT` opens it. */
export const GateStep = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(MAX_LABEL_VALUE_LENGTH)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "use lower-case letters, digits and '-'"),
  timeout: GateTimeout.optional(),
});
export type GateStep = z.infer<typeof GateStep>;

/**
 * A gate's state for the revision being rolled out, kept in status so it survives a controller
 * restart and shows in `describe`. `key` is `hook/<name>[/<step>]` or `step/<index>`.
 */
export const GateStatus = z.strictObject({
  key: z.string().max(400),
  /** The hook or gate step name, as users name it to `sluice gate open`. */
  name: z.string().max(MAX_LABEL_VALUE_LENGTH),
  type: z.union([HookType, z.literal("gate")]),
  revision: z.string().max(64),
  waitingSince: z.string().max(64),
  /** Tries so far (hook calls asked of the controller). */
  attempts: z.number().int().nonnegative().max(1_000_000).default(0),
  /** The try the controller was last asked for but has not answered yet. */
  pendingAttempt: z.number().int().nonnegative().max(1_000_000).optional(),
  failures: z.number().int().nonnegative().max(1_000_000).default(0),
  lastAnswer: z.string().max(1000).optional(),
  lastAnsweredAt: z.string().max(64).optional(),
  nextTryAt: z.string().max(64).optional(),
  /** Set once passed: by the hook's success, a person, or a timeout that continues. */
  openedAt: z.string().max(64).optional(),
  openedBy: z.string().max(400).optional(),
  reason: z.string().max(1000).optional(),
});
export type GateStatus = z.infer<typeof GateStatus>;
