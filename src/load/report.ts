import type { LoadProgress, LoadReport } from "./sender.js";

/*
 * How `sluice load` prints a run, after hey: a summary, a latency histogram of bars, latency
 * quantiles, and a table of status codes and failures. Pure text in, text out.
 */

const BAR_WIDTH = 40;

function ms(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return v < 10 ? `${v.toFixed(2)} ms` : v < 1000 ? `${v.toFixed(1)} ms` : `${(v / 1000).toFixed(2)} s`;
}

/** A one-line progress bar for a terminal, redrawn in place. */
export function progressLine(p: LoadProgress, width = 30): string {
  const secs = (p.elapsedMs / 1000).toFixed(1);
  if (p.total === undefined || p.total === 0) return `${p.completed} done, ${p.errors} errors, ${secs}s`;
  const frac = Math.min(1, p.issued / p.total);
  const filled = Math.round(frac * width);
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  return `${bar} ${Math.round(frac * 100)}%  ${p.completed}/${p.total} done, ${p.errors} errors, ${secs}s`;
}

/** The whole end-of-run report. */
export function formatReport(r: LoadReport, asked: { rate: number }): string {
  const res = r.results;
  const s = res.latencySummary();
  const secs = r.elapsedMs / 1000;
  const lines: string[] = [];
  lines.push("Summary:");
  lines.push(`  Total:        ${secs.toFixed(2)} s${r.stopped ? " (stopped)" : ""}`);
  lines.push(`  Requests:     ${r.sent} sent, ${res.completed} completed, ${res.missed} missed (all connections busy)`);
  lines.push(
    `  Rate:         ${(res.completed / Math.max(secs, 1e-9)).toFixed(1)} req/s achieved, ${asked.rate} asked`,
  );
  lines.push(`  Fastest:      ${ms(s.fastest)}`);
  lines.push(`  Mean:         ${ms(s.mean)}`);
  lines.push(`  Slowest:      ${ms(s.slowest)}`);
  lines.push("");
  lines.push("Latency histogram:");
  const bars = res.bars(10);
  const most = Math.max(1, ...bars.map((b) => b.count));
  if (bars.length === 0) lines.push("  (no request completed)");
  for (const b of bars)
    lines.push(
      `  ≤ ${ms(b.upToMs).padStart(9)} [${String(b.count).padStart(7)}] ${"■".repeat(Math.round((b.count / most) * BAR_WIDTH))}`,
    );
  lines.push("");
  lines.push("Latency distribution:");
  lines.push(`  p50 ${ms(s.p50)}   p90 ${ms(s.p90)}   p99 ${ms(s.p99)}`);
  lines.push("");
  lines.push(...statusTable(r));
  return lines.join("\n");
}

/** Status codes and failures, one row each, with counts and shares of the completed requests. */
export function statusTable(r: LoadReport): string[] {
  const res = r.results;
  const rows: [string, number][] = [...res.statuses.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([code, n]) => [String(code), n]);
  for (const [reason, n] of [...res.failures.entries()].sort()) rows.push([reason, n]);
  const out = ["STATUS                REQUESTS   SHARE"];
  for (const [what, n] of rows)
    out.push(
      `${what.padEnd(20)}  ${String(n).padStart(8)}  ${((100 * n) / Math.max(1, res.completed)).toFixed(1).padStart(5)}%`,
    );
  if (rows.length === 0) out.push("(none)");
  return out;
}
