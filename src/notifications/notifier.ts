import { type ControllerMetrics, type NotificationResult, rolloutLabel } from "../controller/metrics.js";
import type { RolloutEvent } from "../engine/types.js";
import { NOTIFICATION_FAILED, type Notification, type Pipeline, type Rollout } from "../model/index.js";
import type { ChangeNotice, Resource, ResourceKind } from "../ports/control-plane.js";
import { NotificationError, type NotifiedKind } from "./errors.js";
import { matchingNotifications, matchingPipelineNotifications } from "./match.js";
import { notificationPayload } from "./payload.js";
import { pipelinePayload } from "./pipeline-payload.js";
import { postWebhook, resolveWebhookUrl } from "./webhook.js";

/** What the notifier needs of the controller: its changes, its resources, and a place for a failure event. */
export interface NotifierSource {
  subscribe(listener: (change: ChangeNotice) => void): () => void;
  get(kind: ResourceKind, name: string): Resource | undefined;
  /**
   * Records a NotificationFailed event on the rollout or pipeline (`kind`, Rollout when left out);
   * without it failures are only logged and counted.
   */
  recordEvent?(name: string, event: RolloutEvent, kind?: NotifiedKind): Promise<void>;
}

export interface NotifierOptions {
  source: NotifierSource;
  metrics?: ControllerMetrics;
  /** Where a notification that was not delivered is reported (the runtime logs it). */
  onError?: (message: string, err: unknown) => void;
  /** Reads `urlFrom.env`; the process environment by default. */
  readEnv?: (name: string) => string | undefined;
  /** Reads a Secret of the resource's namespace, for `urlFrom.secretKeyRef` (Kubernetes). */
  loadSecret?: (name: string) => Promise<Record<string, string> | undefined>;
  /** Webhook calls in flight at once. */
  maxConcurrent?: number;
  /** Notifications waiting for a free slot; beyond it new ones are dropped (and counted). */
  maxQueued?: number;
  /** Wait before the one retry of a failed call. */
  retryDelayMs?: number;
}

/** One notification to send: the body is built when the change arrives, with the state it came with. */
interface Delivery {
  kind: NotifiedKind;
  name: string;
  namespace: string | undefined;
  notification: Notification;
  /** What is notified, for messages: an event reason, or a record entry's type, release and stage. */
  what: string;
  body: string;
}

/**
 * Tells webhooks about rollout events and pipeline record entries. It listens to the controller's
 * changes, so it runs only where the controller acts (on Kubernetes, the leader). Delivery is at
 * most once: the event or entry is committed before it is sent, and a controller that stops before
 * sending never sends it. Nothing here blocks or throws into the control loop: the listener only
 * queues, a small pool of sends drains the queue, and the queue is bounded so a slow webhook
 * cannot pile up memory.
 */
export class Notifier {
  private readonly queue: Delivery[] = [];
  private active = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private readonly idlers: (() => void)[] = [];

  constructor(private readonly opts: NotifierOptions) {}

  start(): void {
    this.unsubscribe ??= this.opts.source.subscribe((change) => this.onChange(change));
  }

  /** Stops listening, drops what waits, and cuts short sends and retries in flight. */
  stop(): void {
    this.unsubscribe?.();
    this.queue.length = 0;
    this.stopping.abort();
  }

  /** Resolves once nothing waits or is being sent (tests). */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private onChange(change: ChangeNotice): void {
    if (this.stopping.signal.aborted) return;
    // Read now, so the message goes out with the state the change came with, even if the resource
    // changes or is deleted before a slot frees up.
    if (change.type === "event" && change.event.kind === "Rollout") {
      const { event } = change;
      const rollout = this.opts.source.get("Rollout", event.name) as Rollout | undefined;
      if (!rollout) return;
      for (const notification of matchingNotifications(rollout, event))
        this.enqueue({
          kind: "Rollout",
          name: event.name,
          namespace: rollout.metadata.namespace,
          notification,
          what: event.reason,
          body: JSON.stringify(notificationPayload(notification.webhook.format, { rollout, event })),
        });
    } else if (change.type === "record") {
      const { entry } = change;
      const pipeline = this.opts.source.get("Pipeline", change.name) as Pipeline | undefined;
      if (!pipeline) return;
      const what = `${entry.type} of ${entry.release}${entry.stage ? ` in ${entry.stage}` : ""}`;
      for (const notification of matchingPipelineNotifications(pipeline, entry))
        this.enqueue({
          kind: "Pipeline",
          name: change.name,
          namespace: pipeline.metadata.namespace,
          notification,
          what,
          body: JSON.stringify(pipelinePayload(notification.webhook.format, { pipeline, entry })),
        });
    }
    this.pump();
  }

  private enqueue(delivery: Delivery): void {
    if (this.queue.length < (this.opts.maxQueued ?? 100)) {
      this.queue.push(delivery);
      return;
    }
    const { kind, name, notification, what } = delivery;
    this.count(delivery, "dropped");
    this.opts.onError?.(
      `notification "${notification.name}" of ${kind.toLowerCase()} "${name}" dropped`,
      new NotificationError(
        `too many notifications are waiting for their webhooks; ${what} was not sent`,
        kind,
        name,
        notification.name,
      ),
    );
  }

  private pump(): void {
    while (this.active < (this.opts.maxConcurrent ?? 4) && this.queue.length > 0) {
      const delivery = this.queue.shift() as Delivery;
      this.active++;
      void this.deliver(delivery)
        .catch((err) => this.opts.onError?.("notification failed", err))
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.queue.length === 0) for (const done of this.idlers.splice(0)) done();
        });
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { kind, name, notification, what, body } = delivery;
    const { webhook } = notification;
    const resolved = await resolveWebhookUrl(webhook, {
      readEnv: this.opts.readEnv ?? ((variable) => process.env[variable]),
      ...(this.opts.loadSecret ? { loadSecret: this.opts.loadSecret } : {}),
    });
    if (this.stopping.signal.aborted) return;
    const outcome =
      "problem" in resolved
        ? { ok: false as const, problem: `no webhook URL: ${resolved.problem}` }
        : await postWebhook({
            url: resolved.url,
            headers: webhook.headers,
            body,
            timeoutMs: webhook.timeoutSeconds * 1000,
            retryDelayMs: this.opts.retryDelayMs ?? 1_000,
            signal: this.stopping.signal,
          }).then((o) => (o.ok ? o : { ...o, problem: `webhook ${hostOf(resolved.url)} ${o.problem}` }));
    if (outcome.ok) {
      this.count(delivery, "sent");
      return;
    }
    if (this.stopping.signal.aborted) return;
    this.count(delivery, "failed");
    const message = `notification "${notification.name}" for ${what} was not delivered: ${outcome.problem}`;
    const subject = `${kind.toLowerCase()} "${name}"`;
    this.opts.onError?.(subject, new NotificationError(message, kind, name, notification.name));
    await this.opts.source
      .recordEvent?.(name, { type: "Warning", reason: NOTIFICATION_FAILED, message }, kind)
      .catch((err) => this.opts.onError?.(`${subject}: could not record ${NOTIFICATION_FAILED}`, err));
  }

  private count({ kind, name, namespace, notification }: Delivery, result: NotificationResult): void {
    const label = rolloutLabel(name, namespace);
    if (kind === "Rollout") this.opts.metrics?.countNotification(label, notification.name, result);
    else this.opts.metrics?.countPipelineNotification(label, notification.name, result);
  }
}

// The path of a webhook URL is often its secret (Slack's are): messages name the host only.
function hostOf(url: string): string {
  return new URL(url).host;
}
