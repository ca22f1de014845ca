import { z } from "zod";
import { MAX_HEADERS, MAX_NAME_LENGTH, MAX_REASONS, Name, Text } from "./limits.js";
import { SecretKeyRef } from "./meta.js";

/**
 * The event reason the controller records when a notification could not be delivered. It is never
 * itself delivered: a webhook that is down would otherwise report its own failures to itself.
 */
export const NOTIFICATION_FAILED = "NotificationFailed";

/** Reasons notified when a notification lists no `on`: the moments someone usually has to act or know. */
export const DEFAULT_NOTIFICATION_REASONS = [
  "RolloutAborted",
  "RolloutCompleted",
  "Paused",
  "ProgressDeadlineExceeded",
] as const;

/** Where a webhook URL is read when it should not sit in the manifest (Slack URLs are secrets). */
export const WebhookUrlFrom = z
  .strictObject({
    /** A variable of the controller's environment (local platform). */
    env: Name().optional(),
    /** A key of a Secret in the rollout's namespace (Kubernetes). */
    secretKeyRef: SecretKeyRef.optional(),
  })
  .check((ctx) => {
    if ((ctx.value.env === undefined) === (ctx.value.secretKeyRef === undefined))
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of env or secretKeyRef" });
  });
export type WebhookUrlFrom = z.infer<typeof WebhookUrlFrom>;

export const Webhook = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).optional(),
    urlFrom: WebhookUrlFrom.optional(),
    /** `json`: Sluice's own payload; `slack`: `{text}`, as Slack incoming webhooks take. */
    format: z.enum(["json", "slack"]).default("json"),
    headers: z
      .array(z.strictObject({ name: Name(), value: Text() }))
      .max(MAX_HEADERS)
      .default([]),
    timeoutSeconds: z.number().positive().max(60).default(5),
  })
  .check((ctx) => {
    if ((ctx.value.url === undefined) === (ctx.value.urlFrom === undefined))
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of url or urlFrom" });
  });
export type Webhook = z.infer<typeof Webhook>;

/** A webhook told about a rollout's events: `on` lists event reasons, {@link DEFAULT_NOTIFICATION_REASONS} without it. */
export const Notification = z.strictObject({
  name: z.string().min(1).max(63),
  // Unknown reasons are allowed so a manifest can name reasons a later version emits.
  on: z
    .array(
      z
        .string()
        .min(1)
        .max(MAX_NAME_LENGTH)
        .refine((r) => r !== NOTIFICATION_FAILED, {
          message: `${NOTIFICATION_FAILED} is never notified (it would report a webhook's failure to itself)`,
        }),
    )
    .min(1)
    .max(MAX_REASONS)
    .optional(),
  webhook: Webhook,
});
export type Notification = z.infer<typeof Notification>;
