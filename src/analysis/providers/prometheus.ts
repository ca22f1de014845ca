import { durationMs } from "../../model/duration.js";
import type { Metric } from "../../model/index.js";
import { basicAuth, bodySnippet, httpCall, isHttpFailure } from "./http.js";
import { measureCounts } from "./prometheus-counts.js";
import { convertPrometheusData } from "./prometheus-result.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";

/** A metric's prometheus provider block. */
export type PrometheusSpec = NonNullable<Metric["provider"]["prometheus"]>;

/** Where to send a query: the endpoint (for messages) and the full URL. */
export interface PrometheusRequest {
  endpoint: string;
  url: string;
}

/**
 * The query URL for a metric at `nowMs`: `/api/v1/query?query&time` for an instant query, or
 * `/api/v1/query_range?query&start&end&step` when `range` is set (start and end count back from now).
 * The address may carry a path prefix (Prometheus behind a proxy at `/prometheus`).
 */
export function prometheusRequest(
  spec: PrometheusSpec,
  nowMs: number,
  query: string = spec.query ?? "",
): PrometheusRequest | { invalid: string } {
  let base: URL;
  try {
    base = new URL(spec.address);
  } catch {
    return { invalid: `address ${spec.address} is not a URL` };
  }
  const prefix = base.pathname.replace(/\/+$/, "");
  const seconds = (ms: number) => String(ms / 1000);
  const url = new URL(base.origin);
  url.pathname = `${prefix}/api/v1/${spec.range ? "query_range" : "query"}`;
  url.searchParams.set("query", query);
  if (spec.range) {
    const stepMs = durationMs(spec.range.step);
    const startMs = durationMs(spec.range.start);
    const endMs = durationMs(spec.range.end ?? 0);
    if (stepMs <= 0) return { invalid: "range.step must be longer than 0s" };
    if (startMs <= endMs) return { invalid: "range.start must reach further back than range.end" };
    url.searchParams.set("start", seconds(nowMs - startMs));
    url.searchParams.set("end", seconds(nowMs - endMs));
    url.searchParams.set("step", seconds(stepMs));
  } else {
    url.searchParams.set("time", seconds(nowMs));
  }
  return { endpoint: `${url.origin}${url.pathname}`, url: url.toString() };
}

/** Request headers: custom headers first, then authentication, which wins over a custom Authorization. */
export function prometheusHeaders(spec: PrometheusSpec): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  for (const h of spec.headers ?? []) headers[h.key.toLowerCase()] = h.value;
  const auth = spec.authentication;
  if (auth?.bearerToken) headers.authorization = `Bearer ${auth.bearerToken}`;
  else if (auth?.basic) headers.authorization = basicAuth(auth.basic.username, auth.basic.password);
  return headers;
}

function hintForStatus(status: number): string {
  if (status === 400 || status === 422) return "fix the query";
  if (status === 401 || status === 403) return "check the authentication settings";
  if (status === 404) return "check that the address is Prometheus' base URL";
  if (status === 503) return "Prometheus is starting or overloaded, check its health";
  return "check that Prometheus is healthy";
}

interface PrometheusAnswer {
  status?: unknown;
  data?: unknown;
  errorType?: unknown;
  error?: unknown;
}

function parseAnswer(text: string): PrometheusAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as PrometheusAnswer)
      : undefined;
  } catch {
    return undefined;
  }
}

function apiError(answer: PrometheusAnswer): string {
  return `${String(answer.errorType ?? "error")}: ${bodySnippet(String(answer.error ?? "no message"))}`;
}

/**
 * Sends one query and returns Prometheus' `data`, or a one-line error saying what to fix. Never
 * throws. `range` is honoured only for the metric's own query (count queries are instant).
 */
export async function askPrometheus(
  spec: PrometheusSpec,
  query: string,
  nowMs: number,
  signal?: AbortSignal,
): Promise<{ data: unknown } | { error: string }> {
  try {
    const req = prometheusRequest(query === spec.query ? spec : { ...spec, range: undefined }, nowMs, query);
    if ("invalid" in req) return { error: `prometheus query not sent: ${req.invalid}; fix the metric` };
    const at = `prometheus at ${req.endpoint}`;
    const res = await httpCall({
      url: req.url,
      method: "GET",
      headers: prometheusHeaders(spec),
      timeoutMs: durationMs(spec.timeout ?? "10s"),
      insecure: spec.insecure ?? false,
      ...(signal ? { signal } : {}),
    });
    if (isHttpFailure(res)) return { error: `${at} ${res.failure}; ${res.hint}` };
    const answer = parseAnswer(res.text);
    if (res.status >= 400) {
      const why = answer?.status === "error" ? apiError(answer) : bodySnippet(res.text) || "empty body";
      return { error: `${at} answered HTTP ${res.status} (${why}); ${hintForStatus(res.status)}` };
    }
    if (!answer)
      return {
        error: `${at} answered with a body that is not a JSON object (${bodySnippet(res.text) || "empty"}); check that the address points at Prometheus`,
      };
    if (answer.status === "error") return { error: `${at} rejected the query (${apiError(answer)}); fix the query` };
    if (answer.status !== "success")
      return { error: `${at} answered without status "success"; check that the address points at Prometheus` };
    return { data: answer.data };
  } catch (err) {
    // Unreachable by design (httpCall never throws); kept so a bug here cannot crash the loop.
    return { error: `prometheus measurement failed unexpectedly: ${String(err)}` };
  }
}

/** Queries Prometheus over its HTTP API; a judged metric's count queries go to {@link measureCounts}. */
export class PrometheusMetricProvider implements MetricProviderPort {
  readonly kind = "prometheus" as const;

  /** `now` is injectable so tests can pin the `time` parameter. */
  constructor(private readonly now: () => number = Date.now) {}

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.prometheus;
    if (!spec) return { error: `metric "${metric.name}" has no prometheus provider`, query: "" };
    if (metric.judge && spec.counts) return measureCounts(spec, spec.counts, metric.judge, ctx, this.now);
    const query = spec.query ?? "";
    const asked = await askPrometheus(spec, query, this.now(), ctx.signal);
    if ("error" in asked) return { error: asked.error, query };
    const converted = convertPrometheusData(asked.data);
    if ("malformed" in converted)
      return {
        error: `prometheus answered with malformed data (${converted.malformed}); check the Prometheus version`,
        query,
      };
    if (converted.empty) return { inconclusive: "query returned no data", value: converted.value, query };
    return { value: converted.value, query };
  }
}
