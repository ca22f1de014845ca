import { setTimeout as wait } from "node:timers/promises";
import { bodySnippet, httpCall, isHttpFailure } from "../analysis/providers/http.js";
import type { Webhook } from "../model/index.js";

/** Where `urlFrom` is read: the controller's environment, or (Kubernetes) a Secret of the rollout's namespace. */
export interface UrlSources {
  readEnv: (name: string) => string | undefined;
  loadSecret?: (name: string) => Promise<Record<string, string> | undefined>;
}

/** The webhook's URL, or why there is none: a phrase for a one-line message. Never throws. */
export async function resolveWebhookUrl(
  webhook: Webhook,
  sources: UrlSources,
): Promise<{ url: string } | { problem: string }> {
  let value: string | undefined;
  let where: string;
  const from = webhook.urlFrom;
  if (webhook.url !== undefined) return { url: webhook.url };
  if (from?.env !== undefined) {
    where = `environment variable ${from.env}`;
    value = sources.readEnv(from.env);
  } else if (from?.secretKeyRef !== undefined) {
    const { name, key } = from.secretKeyRef;
    where = `key "${key}" of Secret "${name}"`;
    if (!sources.loadSecret) return { problem: `${where} cannot be read: Secrets exist only on Kubernetes` };
    let data: Record<string, string> | undefined;
    try {
      data = await sources.loadSecret(name);
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
      return { problem: `${where} cannot be read (${why})` };
    }
    if (!data) return { problem: `Secret "${name}" does not exist` };
    value = data[key];
  } else return { problem: "the webhook has no url" };
  value = value?.trim();
  if (!value) return { problem: `${where} is not set` };
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return { problem: `${where} does not hold a URL` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return { problem: `${where} holds a ${parsed.protocol.slice(0, -1)} URL; only http and https work` };
  return { url: value };
}

/** One POST to a webhook; the body is already serialized. */
export interface WebhookPost {
  url: string;
  headers: Webhook["headers"];
  body: string;
  timeoutMs: number;
  /** Wait before the one retry. */
  retryDelayMs: number;
  signal?: AbortSignal;
}

/** How a delivery ended. `problem` is a phrase: "answered HTTP 500 (...)", "timed out after 5s". */
export type WebhookOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; problem: string };

/**
 * POSTs a notification. A network failure, a timeout or a 5xx answer is retried once after
 * `retryDelayMs`: a webhook restarting or overloaded for a moment should not lose the message.
 * A 4xx is final, the request itself is wrong. Never throws.
 */
export async function postWebhook(post: WebhookPost): Promise<WebhookOutcome> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const h of post.headers) headers[h.name.toLowerCase()] = h.value;
  let problem = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    // The wait rejects when the notifier stops; that ends the delivery without the retry.
    if (attempt > 1 && !(await wait(post.retryDelayMs, true, { signal: post.signal }).catch(() => false)))
      return stopped(1);
    const res = await httpCall({
      url: post.url,
      method: "POST",
      headers,
      body: post.body,
      timeoutMs: post.timeoutMs,
      insecure: false,
      ...(post.signal ? { signal: post.signal } : {}),
    });
    if (!isHttpFailure(res) && res.status < 300) return { ok: true, attempts: attempt };
    if (post.signal?.aborted) return stopped(attempt);
    const retriable = isHttpFailure(res) || res.status >= 500;
    problem = isHttpFailure(res)
      ? res.failure
      : `answered HTTP ${res.status}${res.text.trim() ? ` (${bodySnippet(res.text, 120)})` : ""}`;
    if (!retriable) return { ok: false, attempts: attempt, problem };
  }
  return { ok: false, attempts: 2, problem: `${problem}, also on the retry` };
}

function stopped(attempts: number): WebhookOutcome {
  return { ok: false, attempts, problem: "was not delivered: the notifier stopped" };
}
