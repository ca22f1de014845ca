import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { judgeSeries, measurementNumber } from "../../view-model.js";
import { html } from "../html.js";
import type { Run } from "../store.js";

const COLORS = ["#2f7ed8", "#d9534f", "#3c9a3c", "#c77c02", "#8e44ad", "#16a085"];

/** The series of a measurement chart: each metric of each run, its numeric measurements over time. */
export function measurementData(runs: readonly Run[]): { labels: string[]; data: uPlot.AlignedData } {
  const series: { label: string; points: Map<number, number> }[] = [];
  const times = new Set<number>();
  for (const run of runs) {
    const who = run.metadata.labels?.["sluice.dev/role"] ?? run.metadata.name;
    for (const m of run.status?.metricResults ?? []) {
      const points = new Map<number, number>();
      for (const x of m.measurements ?? []) {
        const v = measurementNumber(x.value);
        if (v === null) continue;
        const t = Math.round(Date.parse(x.finishedAt ?? x.startedAt) / 1000);
        points.set(t, v);
        times.add(t);
      }
      if (points.size > 0) series.push({ label: `${m.name} (${who})`, points });
    }
  }
  const xs = [...times].sort((a, b) => a - b);
  return {
    labels: series.map((s) => s.label),
    data: [xs, ...series.map((s) => xs.map((t) => s.points.get(t) ?? null))] as uPlot.AlignedData,
  };
}

/** Numeric measurements of the given runs over time. */
export function MeasurementChart(props: { runs: readonly Run[]; title: string }) {
  const { labels, data } = measurementData(props.runs);
  if (labels.length === 0) return null;
  return html`<${Plot} title=${props.title} labels=${labels} data=${data} />`;
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
