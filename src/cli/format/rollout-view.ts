import pc from "picocolors";
import { summarizeValue } from "../../analysis/value-summary.js";
import { describeStep } from "../../engine/steps.js";
import type { AnalysisRun, Rollout } from "../../model/index.js";
import type { EventRecord } from "../../ports/control-plane.js";
import { gateLines } from "./gate-lines.js";
import { countdown } from "./pipeline-view.js";
import { age, renderTable } from "./table.js";

export interface RolloutViewInput {
  rollout: Rollout;
  runs: AnalysisRun[];
  events: EventRecord[];
  now: Date;
  color: boolean;
  /** How many of the newest events to show (8 in the live view). */
  maxEvents?: number;
}

const BAR_WIDTH = 20;

/**
 * The live view of one rollout: its steps with the current one marked, the weight of each
 * revision as a bar, the latest value of each running metric against its condition, and the last
 * events. Plain text when `color` is false.
 */
export function renderRolloutView({ rollout, runs, events, now, color, maxEvents }: RolloutViewInput): string {
  const c = pc.createColors(color);
  const status = rollout.status;
  const strategy = rollout.spec.strategy.canary ? "Canary" : "BlueGreen";
  const phase = status?.phase ?? "Progressing";
  const phaseColor = { Healthy: c.green, Progressing: c.cyan, Paused: c.yellow, Degraded: c.red }[phase];
  const out: string[] = [];
  out.push(`Name:      ${rollout.metadata.name}`);
  out.push(`Strategy:  ${strategy}`);
  out.push(`Phase:     ${phaseColor(phase)}${status?.message ? ` — ${withCountdowns(status.message, now)}` : ""}`);
  const preview = previewUrlOf(rollout);
  if (preview) out.push(`Preview:   ${preview}`);

  out.push("", "Revisions:");
  // A baseline shares the stable revision's number; it is listed first, beside the canary it is compared with.
  const revisions = [...(status?.revisions ?? [])].sort(
    (a, b) => b.number - a.number || Number(b.role === "baseline") - Number(a.role === "baseline"),
  );
  if (revisions.length === 0) out.push("  (none yet)");
  out.push(
    ...renderTable(
      ["", "REVISION", "ROLE", "REPLICAS", "WEIGHT", ""],
      revisions.map((r) => {
        const ready = (r as { readyReplicas?: number }).readyReplicas;
        return [
          " ",
          `#${r.number} ${r.hash}`,
          r.role,
          ready === undefined ? `${r.replicas}` : `${ready}/${r.replicas} ready`,
          bar(r.weight, c),
          // Where traffic splits by pods, the share actually reached can differ from the step's.
          r.actualWeight === undefined || r.actualWeight === Math.round(r.weight)
            ? `${Math.round(r.weight)}%`
            : `${Math.round(r.weight)}% (actual ${r.actualWeight}%)`,
        ];
      }),
    )
      .split("\n")
      .slice(revisions.length === 0 ? 1 : 0),
  );

  const steps = rollout.spec.strategy.canary?.steps ?? [];
  if (steps.length > 0) {
    out.push("", "Steps:");
    const current = status?.currentStepIndex ?? 0;
    const done = phase === "Healthy" && status?.currentRevision === status?.stableRevision;
    steps.forEach((step, i) => {
      const mark = done || i < current ? c.green("✓") : i === current ? c.cyan("▶") : " ";
      out.push(`  ${mark} ${i + 1}. ${describeStep(step)}`);
    });
  }

  const gates = gateLines(status?.gates);
  if (gates.length > 0) out.push("", "Gates:", ...gates.map((g) => `  ${g}`));

  const active = new Set(Object.values(status?.analysisRuns ?? {}));
  const shown = runs.filter((r) => active.has(r.metadata.name)).slice(-3);
  for (const run of shown) {
    out.push("", `Analysis ${run.metadata.name} (${run.status?.phase ?? "Pending"}):`);
    const rows = (run.status?.metricResults ?? []).map((m) => {
      const metric = run.spec.metrics.find((x) => x.name === m.name);
      const last = m.measurements.at(-1);
      return [
        `  ${m.name}`,
        metric ? summarizeValue(metric, last?.value) : (last?.value ?? "-"),
        metric?.successCondition ?? metric?.failureCondition ?? "",
        m.phase,
        `failed ${m.failed}/${metric?.failureLimit ?? 0}, inconclusive ${m.inconclusive}/${metric?.inconclusiveLimit ?? 0}, errors ${m.consecutiveError}/${metric?.consecutiveErrorLimit ?? 4}`,
      ];
    });
    if (rows.length > 0) out.push(renderTable(["  METRIC", "LATEST", "CONDITION", "VERDICT", "COUNTS"], rows));
    if (run.status?.message) out.push(`  ${run.status.message}`);
  }

  const recent = events.slice(-(maxEvents ?? 8));
  if (recent.length > 0) {
    out.push("", "Events:");
    out.push(
      renderTable(
        ["  AGE", "TYPE", "REASON", "MESSAGE"],
        recent.map((e) => [
          `  ${age(e.time, now)}`,
          e.type === "Warning" ? c.yellow(e.type) : e.type,
          e.reason,
          e.actor ? `${e.message} (by ${e.actor})` : e.message,
        ]),
      ),
    );
  }
  return out.join("\n");
}

/** The blue-green preview address the local API adds to a rollout's status, when it has one. */
export function previewUrlOf(rollout: Rollout): string | undefined {
  return (rollout.status as { previewUrl?: string } | undefined)?.previewUrl;
}

function bar(weight: number, c: ReturnType<typeof pc.createColors>): string {
  const filled = Math.round((weight / 100) * BAR_WIDTH);
  return c.cyan("█".repeat(filled)) + c.dim("░".repeat(BAR_WIDTH - filled));
}

const INSTANT = /\b\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z\b/g;

/**
 * A message's instants as a person reads them while waiting: `until 2026-12-04T05:22:39.325Z`
 * becomes `until 05:22:39 UTC (in 4m12s)`. The controller writes absolute times (they stay true
 * in logs and events); the countdown is the view's.
 */
export function withCountdowns(message: string, now: Date): string {
  return message.replace(INSTANT, (iso: string, clock: string) => {
    const left = countdown(iso, now);
    return `${clock} UTC (${left === "now" ? "now" : `in ${left}`})`;
  });
}
