import type { Metric } from "../../model/index.js";
import { bodySnippet, httpCall, isHttpFailure } from "./http.js";
import { JsonPathSyntaxError, parseJsonPath, selectJsonPath } from "./json-path.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";
import { type AskWeb, measureWebCounts } from "./web-counts.js";

type WebSpec = NonNullable<Metric["provider"]["web"]>;

/** What a web response body means for a metric: a value, "no data", or a problem with a hint. */
export type WebBodyOutcome = { value: unknown } | { empty: string } | { problem: string; hint: string };

/**
 * Reads a response body. JSON is parsed and, with a selector, narrowed to the selected value.
 * A body that is not JSON is an error when a selector is set or the server declared JSON;
 * otherwise it is a number if it reads as one ("0.97\n"), else the trimmed text. An empty body
 * without a selector is "no data" (Inconclusive), not a value.
 */
export function interpretWebBody(text: string, contentType: string, jsonPath: string | undefined): WebBodyOutcome {
  let parsed: { ok: true; value: unknown } | { ok: false };
  try {
    parsed = { ok: true, value: JSON.parse(text) };
  } catch {
    parsed = { ok: false };
  }
  if (jsonPath !== undefined) {
    let segments: ReturnType<typeof parseJsonPath>;
    try {
      segments = parseJsonPath(jsonPath);
    } catch (err) {
      const why = err instanceof JsonPathSyntaxError ? err.message : String(err);
      return { problem: `cannot be read: ${why}`, hint: "fix jsonPath" };
    }
    if (!parsed.ok)
      return {
        problem: `answered with a body that is not JSON (${bodySnippet(text) || "empty"}), so jsonPath ${jsonPath} cannot apply`,
        hint: "check the URL, or remove jsonPath",
      };
    const selected = selectJsonPath(parsed.value, segments);
    if ("missing" in selected)
      return {
        problem: `answered without a value at jsonPath ${jsonPath} (${selected.missing})`,
        hint: "check the selector against the response",
      };
    return { value: selected.value };
  }
  if (parsed.ok) return { value: parsed.value };
  const trimmed = text.trim();
  if (/\bjson\b/i.test(contentType))
    return {
      problem: `answered with malformed JSON (${bodySnippet(text) || "empty"})`,
      hint: "check the endpoint's output",
    };
  if (trimmed === "") return { empty: "response body was empty" };
  const n = Number(trimmed);
  return { value: Number.isNaN(n) && trimmed !== "NaN" ? trimmed : n };
}

/** Request headers and body from the spec; `body` wins over `jsonBody`, which defaults the content type to JSON. */
export function webRequestParts(spec: WebSpec): { headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = {};
  for (const h of spec.headers ?? []) headers[h.key.toLowerCase()] = h.value;
  if (spec.body !== undefined) return { headers, body: spec.body };
  if (spec.jsonBody !== undefined) {
    headers["content-type"] ??= "application/json";
    return { headers, body: JSON.stringify(spec.jsonBody) };
  }
  return { headers };
}

/** Where a web call went wrong, or its answer: what the metric reads, with a hint to fix it. */
type WebAnswer = { text: string; contentType: string } | { error: string };

/** Sends the spec's request; anything but a 2xx/3xx answer is an error naming the endpoint. */
async function callWeb(spec: WebSpec, signal: AbortSignal | undefined): Promise<WebAnswer> {
  const method = spec.method ?? "GET";
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return { error: `web request not sent: ${spec.url} is not a URL; fix the metric's url` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { error: `web request not sent: ${spec.url} is not http:// or https://; fix the metric's url` };
  const at = `web endpoint ${method} ${spec.url}`;
  const timeoutSeconds = spec.timeoutSeconds ?? 10;
  const res = await httpCall({
    url: url.toString(),
    method,
    ...webRequestParts(spec),
    timeoutMs: timeoutSeconds * 1000,
    insecure: spec.insecure ?? false,
    ...(signal ? { signal } : {}),
  });
  if (isHttpFailure(res)) return { error: `${at} ${res.failure}; ${res.hint}` };
  if (res.status >= 400)
    return {
      error: `${at} answered HTTP ${res.status} (${bodySnippet(res.text) || "empty body"}); check the endpoint`,
    };
  return { text: res.text, contentType: res.contentType };
}

/** Calls an HTTP endpoint and reads a value (or, for a judged metric, per-revision counts) from its response. */
export class WebMetricProvider implements MetricProviderPort {
  readonly kind = "web" as const;

  constructor(private readonly now: () => number = Date.now) {}

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.web;
    if (!spec) return { error: `metric "${metric.name}" has no web provider`, query: "" };
    const query = `${spec.method ?? "GET"} ${spec.url}`;
    try {
      if (metric.judge && spec.counts) {
        const ask: AskWeb = async (asked) => {
          const answer = await callWeb(asked, ctx.signal);
          if ("error" in answer) return answer;
          if (answer.text.trim() === "") return { inconclusive: `${asked.url} answered with an empty body` };
          try {
            return { body: JSON.parse(answer.text) };
          } catch {
            return {
              error: `web endpoint ${asked.url} answered with a body that is not JSON (${bodySnippet(answer.text)}), so counts cannot be read; check the url`,
            };
          }
        };
        return await measureWebCounts(spec, spec.counts, metric.judge, ctx, ask, this.now);
      }
      const answer = await callWeb(spec, ctx.signal);
      if ("error" in answer) return { error: answer.error, query };
      const outcome = interpretWebBody(answer.text, answer.contentType, spec.jsonPath);
      if ("problem" in outcome) return { error: `web endpoint ${query} ${outcome.problem}; ${outcome.hint}`, query };
      if ("empty" in outcome) return { inconclusive: outcome.empty, query };
      return { value: outcome.value, query };
    } catch (err) {
      return { error: `web measurement failed unexpectedly: ${String(err)}`, query };
    }
  }
}
