import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { judgeSeries, type MeasurementNumbers, measurementNumbers } from "../../view-model.js";
import { html } from "../html.js";
import type { Run } from "../store.js";

const COLORS = ["#2f7ed8", "#d9534f", "#3c9a3c", "#c77c02", "#8e44ad", "#16a085"];

type Key = keyof MeasurementNumbers;

/** The charts a run's measurements make: canary vs stable error rate and p95 (builtin), and single values per metric. */
export function measurementCharts(run: Run): { title: string; labels: string[]; data: uPlot.AlignedData }[] {
  const charts: { title: string; keys: [Key, string][] }[] = [
    {
      title: "Error rate: canary vs stable",
      keys: [
        ["canaryErrorRate", "canary"],
        ["stableErrorRate", "stable"],
      ],
    },
    {
      title: "p95 latency (ms): canary vs stable",
      keys: [
        ["canaryP95", "canary"],
        ["stableP95", "stable"],
      ],
    },
  ];
  const out: { title: string; labels: string[]; data: uPlot.AlignedData }[] = [];
  const points: { t: number; metric: string; n: MeasurementNumbers }[] = [];
  for (const m of run.status?.metricResults ?? [])
    for (const x of m.measurements ?? [])
      points.push({
        t: Math.round(Date.parse(x.finishedAt ?? x.startedAt) / 1000),
        metric: m.name,
        n: measurementNumbers(x.value),
      });
  const xs = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
  const column = (pick: (p: (typeof points)[number]) => number | undefined) =>
    xs.map((t) => {
      const hit = points.find((p) => p.t === t && pick(p) !== undefined);
      return hit ? (pick(hit) ?? null) : null;
    });
  for (const chart of charts) {
    const cols = chart.keys.map(([k]) => column((p) => p.n[k]));
    if (cols.some((c) => c.some((v) => v !== null)))
      out.push({ title: chart.title, labels: chart.keys.map(([, l]) => l), data: [xs, ...cols] as uPlot.AlignedData });
  }
  const single = [...new Set(points.filter((p) => p.n.value !== undefined).map((p) => p.metric))];
  if (single.length > 0)
    out.push({
      title: "Measured values",
      labels: single,
      data: [
        xs,
        ...single.map((metric) => column((p) => (p.metric === metric ? p.n.value : undefined))),
      ] as uPlot.AlignedData,
    });
  return out;
}

/** Live charts of a run's measurements, redrawn in place as measurements arrive. */
export function MeasurementChart(props: { run: Run }) {
  return measurementCharts(props.run).map(
    (c) =>
      html`<${Plot} key=${c.title} title=${c.title} labels=${c.labels} data=${c.data} colors=${c.labels[0] === "canary" ? ["#d9534f", "#2f7ed8"] : undefined} />`,
  );
}

type Looks = Parameters<typeof judgeSeries>[0];

/**
 * The judge's evidence for one metric: canary against baseline (the stable revision), error rate
 * or p95 latency over time, counted since the judge's first look.
 */
export function JudgeChart(props: { looks: Looks; title: string; latency: boolean }) {
  const s = judgeSeries(props.looks);
  const labels = props.latency ? ["canary p95 (s)", "baseline p95 (s)"] : ["canary error rate", "baseline error rate"];
  const data = [s.t, ...(props.latency ? [s.canaryP95, s.baselineP95] : [s.canaryErrorRate, s.baselineErrorRate])];
  return html`<${Plot} title=${props.title} labels=${labels} data=${data as uPlot.AlignedData} colors=${["#d9534f", "#2f7ed8"]} />`;
}

/** A uPlot line chart (small, fast, canvas) that takes new data in place, without redrawing the page. */
function Plot(props: { title: string; labels: string[]; data: uPlot.AlignedData; colors?: string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    if (!box.current) return;
    const width = Math.max(260, Math.min(box.current.clientWidth || 600, 900));
    const colors = props.colors ?? COLORS;
    plot.current = new uPlot(
      {
        title: props.title,
        width,
        height: 220,
        series: [
          {},
          ...props.labels.map((label, i) => ({
            label,
            stroke: colors[i % colors.length] ?? "#888",
            width: 2,
            points: { show: true },
          })),
        ],
        axes: [{ stroke: "currentColor" }, { stroke: "currentColor" }],
      },
      props.data,
      box.current,
    );
    return () => plot.current?.destroy();
  }, [props.labels.join("|")]);
  useEffect(() => plot.current?.setData(props.data));
  return html`<figure class="chart" role="img" aria-label=${`${props.title}: ${props.labels.join(" vs ")}`} ref=${box}></figure>`;
}
