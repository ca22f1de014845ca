import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** Samples of a Prometheus text exposition. */
export type Series = { name: string; labels: Record<string, string>; value: number }[];

/** Parses Prometheus text format (enough of it for counters and histograms). */
export function parseProm(text: string): Series {
  const out: Series = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Cumulative reconcile histogram: bucket upper bound → count, plus count and sum. */
export interface Histogram {
  buckets: [number, number][];
  count: number;
  sum: number;
}

/** Sluice's reconcile-duration histogram from a scrape of the controller. */
export function reconcileHistogram(series: Series): Histogram {
  const name = "sluice_reconcile_duration_seconds";
  const buckets = series
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => [s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le), s.value] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const one = (suffix: string) => series.find((s) => s.name === `${name}_${suffix}`)?.value ?? 0;
  return { buckets, count: one("count"), sum: one("sum") };
}

/** The observations between two scrapes of the same histogram. */
export function minus(a: Histogram, b: Histogram): Histogram {
  return {
    buckets: a.buckets.map(([le, n]) => [le, n - (b.buckets.find(([l]) => l === le)?.[1] ?? 0)]),
    count: a.count - b.count,
    sum: a.sum - b.sum,
  };
}

/** The upper bound of the bucket holding quantile q (what a histogram can tell, no interpolation). */
export function quantile(h: Histogram, q: number): string {
  if (h.count === 0) return "-";
  const bucket = h.buckets.find(([, n]) => n >= q * h.count);
  if (!bucket || bucket[0] === Number.POSITIVE_INFINITY) {
    const finite = h.buckets.filter(([le]) => Number.isFinite(le)).at(-1)?.[0] ?? 0;
    return `> ${finite * 1000} ms`;
  }
  return `≤ ${bucket[0] * 1000} ms`;
}

/** Requests the API server served and the seconds it spent on them, by verb, resource and scope. */
export function apiRequests(series: Series): Map<string, { count: number; seconds: number }> {
  const out = new Map<string, { count: number; seconds: number }>();
  for (const s of series) {
    const count = s.name === "apiserver_request_total";
    if (!count && s.name !== "apiserver_request_duration_seconds_sum") continue;
    const sub = s.labels.subresource ? `/${s.labels.subresource}` : "";
    const key = `${s.labels.verb} ${s.labels.resource}${sub} (${s.labels.scope})`;
    const row = out.get(key) ?? { count: 0, seconds: 0 };
    if (count) row.count += s.value;
    else row.seconds += s.value;
    out.set(key, row);
  }
  return out;
}

/** Fetches and parses a plain-HTTP /metrics endpoint. */
export async function scrape(url: string): Promise<Series> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return parseProm(await res.text());
}

/** The API server's /metrics, with the admin credentials of the kubeconfig. */
export async function scrapeApiserver(kc: KubeConfig): Promise<Series> {
  const url = new URL("/metrics", kc.getCurrentCluster()?.server);
  const opts: Parameters<typeof request>[1] = {};
  await kc.applyToHTTPSOptions(opts);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString()));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  return parseProm(text);
}
