import type { ChangeNotice, EventRecord, Resource, ResourceKind } from "../controller/control-plane.js";
import { type ControllerMetrics, type NotificationResult, rolloutLabel } from "../controller/metrics.js";
import type { RolloutEvent } from "../engine/types.js";
import { NOTIFICATION_FAILED, type Notification, type Rollout } from "../model/index.js";
import { NotificationError } from "./errors.js";
import { matchingNotifications } from "./match.js";
import { notificationPayload } from "./payload.js";
import { postWebhook, resolveWebhookUrl } from "./webhook.js";

/** What the notifier needs of the controller: its changes, its rollouts, and a place for a failure event. */
export interface NotifierSource {
  subscribe(listener: (change: ChangeNotice) => void): () => void;
  get(kind: ResourceKind, name: string): Resource | undefined;
  /** Records a NotificationFailed event on the rollout; without it failures are only logged and counted. */
  recordEvent?(rollout: string, event: RolloutEvent): Promise<void>;
}

export interface NotifierOptions {
  source: NotifierSource;
  metrics?: ControllerMetrics;
  /** Where a notification that was not delivered is reported (the runtime logs it). */
  onError?: (message: string, err: unknown) => void;
  /** Reads `urlFrom.env`; the process environment by default. */
  readEnv?: (name: string) => string | undefined;
  /** Reads a Secret of the rollout's namespace, for `urlFrom.secretKeyRef` (Kubernetes). */
  loadSecret?: (name: string) => Promise<Record<string, string> | undefined>;
  /** Webhook calls in flight at once. */
  maxConcurrent?: number;
  /** Notifications waiting for a free slot; beyond it new ones are dropped (and counted). */
  maxQueued?: number;
  /** Wait before the one retry of a failed call. */
  retryDelayMs?: number;
}

interface Delivery {
  rollout: Rollout;
  notification: Notification;
  event: EventRecord;
}

/**
 * Tells webhooks about rollout events. It listens to the controller's changes, so it runs only
 * where the controller acts (on Kubernetes, the leader). Delivery is at most once: the event is
 * committed before it is sent, and a controller that stops before sending never sends it.
 * Nothing here blocks or throws into the control loop: the listener only queues, a small pool of
 * sends drains the queue, and the queue is bounded so a slow webhook cannot pile up memory.
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
    if (change.type !== "event" || change.event.kind !== "Rollout" || this.stopping.signal.aborted) return;
    const { event } = change;
    // Read now, so the message goes out with the status the event came with, even if the rollout
    // changes or is deleted before a slot frees up.
    const rollout = this.opts.source.get("Rollout", event.name) as Rollout | undefined;
    if (!rollout) return;
    for (const notification of matchingNotifications(rollout, event)) {
      if (this.queue.length >= (this.opts.maxQueued ?? 100)) {
        this.count(rollout, notification, "dropped");
        this.opts.onError?.(
          `notification "${notification.name}" of rollout "${event.name}" dropped`,
          new NotificationError(
            `too many notifications are waiting for their webhooks; ${event.reason} was not sent`,
            event.name,
            notification.name,
          ),
        );
        continue;
      }
      this.queue.push({ rollout, notification, event });
    }
    this.pump();
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

  private async deliver({ rollout, notification, event }: Delivery): Promise<void> {
    const { webhook } = notification;
    const resolved = await resolveWebhookUrl(webhook, {
      readEnv: this.opts.readEnv ?? ((name) => process.env[name]),
      ...(this.opts.loadSecret ? { loadSecret: this.opts.loadSecret } : {}),
    });
    if (this.stopping.signal.aborted) return;
    const outcome =
      "problem" in resolved
        ? { ok: false as const, problem: `no webhook URL: ${resolved.problem}` }
        : await postWebhook({
            url: resolved.url,
            headers: webhook.headers,
            body: JSON.stringify(notificationPayload(webhook.format, { rollout, event })),
            timeoutMs: webhook.timeoutSeconds * 1000,
            retryDelayMs: this.opts.retryDelayMs ?? 1_000,
            signal: this.stopping.signal,
          }).then((o) => (o.ok ? o : { ...o, problem: `webhook ${hostOf(resolved.url)} ${o.problem}` }));
    if (outcome.ok) {
      this.count(rollout, notification, "sent");
      return;
    }
    if (this.stopping.signal.aborted) return;
    this.count(rollout, notification, "failed");
    const message = `notification "${notification.name}" for ${event.reason} was not delivered: ${outcome.problem}`;
    const name = rollout.metadata.name;
    this.opts.onError?.(`rollout "${name}"`, new NotificationError(message, name, notification.name));
    await this.opts.source
      .recordEvent?.(name, { type: "Warning", reason: NOTIFICATION_FAILED, message })
      .catch((err) => this.opts.onError?.(`rollout "${name}": could not record ${NOTIFICATION_FAILED}`, err));
  }

  private count(rollout: Rollout, notification: Notification, result: NotificationResult): void {
    const label = rolloutLabel(rollout.metadata.name, rollout.metadata.namespace);
    this.opts.metrics?.countNotification(label, notification.name, result);
  }
}

// The path of a webhook URL is often its secret (Slack's are): messages name the host only.
function hostOf(url: string): string {
  return new URL(url).host;
}
