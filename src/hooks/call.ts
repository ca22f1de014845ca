import { setTimeout as wait } from "node:timers/promises";
import { bodySnippet, httpCall, isHttpFailure } from "../analysis/providers/http.js";
import type { MetricProviderPort } from "../analysis/providers/provider.js";
import { Metric, type RolloutHook } from "../model/index.js";
import { resolveWebhookUrl, type UrlSources } from "../notifications/webhook.js";
import type { HookPayload } from "./payload.js";

/** What a hook call needs from its surroundings: where secrets come from, and the command/job providers. */
export interface HookCallDeps extends UrlSources {
  providers: Partial<Record<MetricProviderPort["kind"], MetricProviderPort>>;
  /** Sleeps between retries; the test clock can replace it. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One call's end: `message` is one line that never contains a secret (the URL or a header from a secret). */
export interface HookCallResult {
  ok: boolean;
  message: string;
  /** Tries made, the first and its retries. */
  tries: number;
}

/** Backoff before retry `n` (1-based): `retryBackoffSeconds` doubled each time, at most 5 minutes. */
export function backoffMs(hook: Pick<RolloutHook, "retryBackoffSeconds">, n: number): number {
  return Math.min(hook.retryBackoffSeconds * 1000 * 2 ** (n - 1), 300_000);
}

/**
 * Calls a hook: up to `1 + retries` tries, each within `timeoutSeconds`, with a doubling backoff
 * between them. A webhook succeeds on any 2xx; a command on exit code 0; a job when it completes.
 * Never throws: every failure is a result with a one-line message.
 */
export async function callHook(
  hook: RolloutHook,
  payload: HookPayload,
  deps: HookCallDeps,
  signal?: AbortSignal,
): Promise<HookCallResult> {
  const sleep = deps.sleep ?? ((ms: number, s?: AbortSignal) => wait(ms, undefined, s ? { signal: s } : {}));
  let last: { ok: boolean; message: string } = { ok: false, message: "not called" };
  const tries = 1 + hook.retries;
  for (let n = 1; n <= tries; n++) {
    if (n > 1) {
      try {
        await sleep(backoffMs(hook, n - 1), signal);
      } catch {
        return { ok: false, message: `${last.message}; stopped before retry ${n - 1}`, tries: n - 1 };
      }
    }
    try {
      last = await callOnce(hook, payload, deps, signal);
    } catch (err) {
      last = { ok: false, message: `failed unexpectedly: ${String(err).split("\n")[0]}` };
    }
    if (last.ok || signal?.aborted) return { ...last, tries: n };
  }
  return { ...last, message: tries > 1 ? `${last.message} (after ${tries} tries)` : last.message, tries };
}

async function callOnce(
  hook: RolloutHook,
  payload: HookPayload,
  deps: HookCallDeps,
  signal?: AbortSignal,
): Promise<{ ok: boolean; message: string }> {
  if (hook.webhook) return callWebhook(hook, payload, deps, signal);
  const provider = hook.command ? deps.providers.command : hook.job ? deps.providers.job : undefined;
  if (!provider)
    return {
      ok: false,
      message: hook.manual ? "a manual hook is opened by a person" : "no provider runs this hook here",
    };
  const metric = Metric.safeParse({
    name: hook.name,
    provider: hook.command
      ? {
          command: {
            ...hook.command,
            result: "exitCode",
            timeoutSeconds: Math.min(hook.command.timeoutSeconds, hook.timeoutSeconds),
            env: [...hook.command.env, { name: "SLUICE_HOOK_PAYLOAD", value: JSON.stringify(payload) }],
          },
        }
      : { job: hook.job },
  });
  if (!metric.success)
    return { ok: false, message: `hook cannot run: ${metric.error.issues[0]?.message ?? "invalid"}` };
  const result = await provider.measure(metric.data, {
    args: {},
    rollout: payload.name,
    canaryRevision: payload.revision,
    ...(signal ? { signal } : {}),
  });
  if (result.error !== undefined) return { ok: false, message: result.error };
  if (result.value === true) return { ok: true, message: hook.command ? "exited 0" : "job completed" };
  return { ok: false, message: hook.command ? `did not exit 0 (${result.query})` : "job failed" };
}

async function callWebhook(
  hook: RolloutHook,
  payload: HookPayload,
  deps: HookCallDeps,
  signal?: AbortSignal,
): Promise<{ ok: boolean; message: string }> {
  const spec = hook.webhook;
  if (!spec) return { ok: false, message: "no webhook" };
  const url = await resolveWebhookUrl({ ...spec, format: "json", headers: [], timeoutSeconds: 1 }, deps);
  if ("problem" in url) return { ok: false, message: url.problem };
  const secrets = [url.url];
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const h of spec.headers) {
    if (h.value !== undefined) headers[h.name.toLowerCase()] = h.value;
    else if (h.valueFrom) {
      const value = await readSecretText(h.valueFrom, deps);
      if (value === undefined)
        return { ok: false, message: `header ${h.name}: ${describeFrom(h.valueFrom)} is not set` };
      headers[h.name.toLowerCase()] = value;
      secrets.push(value);
    }
  }
  const res = await httpCall({
    url: url.url,
    method: "POST",
    headers,
    body: JSON.stringify(payload),
    timeoutMs: hook.timeoutSeconds * 1000,
    insecure: false,
    ...(signal ? { signal } : {}),
  });
  const message = isHttpFailure(res)
    ? res.failure
    : res.status < 300
      ? `HTTP ${res.status}`
      : `answered HTTP ${res.status}${res.text.trim() ? ` (${bodySnippet(res.text, 120)})` : ""}`;
  return { ok: !isHttpFailure(res) && res.status < 300, message: scrub(message, secrets) };
}

/** The text of an env variable or a Secret key; undefined when missing. */
async function readSecretText(
  from: NonNullable<NonNullable<RolloutHook["webhook"]>["urlFrom"]>,
  deps: UrlSources,
): Promise<string | undefined> {
  if (from.env !== undefined) return deps.readEnv(from.env) || undefined;
  if (from.secretKeyRef && deps.loadSecret) {
    const data = await deps.loadSecret(from.secretKeyRef.name).catch(() => undefined);
    return data?.[from.secretKeyRef.key] || undefined;
  }
  return undefined;
}

function describeFrom(from: NonNullable<NonNullable<RolloutHook["webhook"]>["urlFrom"]>): string {
  return from.env !== undefined
    ? `environment variable ${from.env}`
    : `key "${from.secretKeyRef?.key}" of Secret "${from.secretKeyRef?.name}"`;
}

/** Replaces secret values in a message: an answer is stored in status and shown in events. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
  return out;
}
