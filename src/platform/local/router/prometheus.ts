import { OUTCOME_CLASSES, PROMETHEUS_LE, type RevisionSeries } from "./telemetry.js";

/** Router-wide gauges rendered next to the per-revision series. */
export interface RouterGauges {
  generation: number;
  inflight: number;
}

/** Prometheus text exposition (format 0.0.4) of the router's counters and latency histograms. */
export function renderMetrics(series: Iterable<RevisionSeries>, gauges: RouterGauges): string {
  const counters: string[] = [];
  const histograms: string[] = [];
  for (const s of series) {
    // Generated load carries traffic="generated"; users' series keep their labels as before. A
    // revision that never got generated load has no such lines, so /metrics does not double in size.
    if (s.traffic === "generated" && s.totals.every((n) => n === 0)) continue;
    const traffic = s.traffic === "generated" ? ',traffic="generated"' : "";
    const base = `rollout="${escapeLabel(s.rollout)}",revision="${escapeLabel(s.revision)}"${traffic}`;
    for (let c = 0; c < OUTCOME_CLASSES.length; c++) {
      counters.push(`sluice_router_requests_total{${base},code="${OUTCOME_CLASSES[c]}"} ${s.totals[c]}`);
    }
    let cumulative = 0;
    for (let b = 0; b < s.promBuckets.length; b++) {
      cumulative += s.promBuckets[b]!;
      const le = b < PROMETHEUS_LE.length ? String(PROMETHEUS_LE[b]) : "+Inf";
      histograms.push(`sluice_router_request_duration_seconds_bucket{${base},le="${le}"} ${cumulative}`);
    }
    histograms.push(`sluice_router_request_duration_seconds_sum{${base}} ${s.latencySumSeconds}`);
    histograms.push(`sluice_router_request_duration_seconds_count{${base}} ${cumulative}`);
  }
  return [
    "# HELP sluice_router_requests_total Requests the router finished, by rollout, revision and outcome class.",
    "# TYPE sluice_router_requests_total counter",
    ...counters,
    "# HELP sluice_router_request_duration_seconds Time from request received to response sent.",
    "# TYPE sluice_router_request_duration_seconds histogram",
    ...histograms,
    "# HELP sluice_router_inflight_requests Requests being proxied right now.",
    "# TYPE sluice_router_inflight_requests gauge",
    `sluice_router_inflight_requests ${gauges.inflight}`,
    "# HELP sluice_router_config_generation Generation of the configuration being served.",
    "# TYPE sluice_router_config_generation gauge",
    `sluice_router_config_generation ${gauges.generation}`,
    "",
  ].join("\n");
}

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === "\n" ? "\\n" : `\\${ch}`));
}
