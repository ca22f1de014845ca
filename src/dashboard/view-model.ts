// Pure: what the dashboard shows, computed from resources as the API returns them. No DOM, no I/O,
// so the browser bundle and the unit tests share it.
import type { Pipeline, Rollout } from "../model/index.js";
import type { StageView } from "../pipeline/types.js";

/** One line of the overview: a rollout or a pipeline stage, in the words the CLI uses. */
export interface OverviewRow {
  kind: "Rollout" | "Pipeline";
  name: string;
  phase: string;
  /** `2/5` for a canary's current step; empty when it has none. */
  step: string;
  /** `stable 80 · canary 20`, or a pipeline's stages and their releases. */
  weights: string;
  message: string;
  /** Why a person is needed now, or undefined. Rows that need one come first. */
  attention?: string;
}

/** Why a rollout waits for a person: a manual pause step, an inconclusive analysis, a user pause, an abort. */
export function rolloutAttention(r: Rollout): string | undefined {
  const s = r.status;
  if (!s) return undefined;
  if (s.abort) return "aborted: retry or undo";
  for (const p of s.pauseConditions ?? []) {
    if (p.reason === "InconclusiveAnalysis") return "analysis inconclusive: promote or abort";
    if (p.reason === "CanaryPauseStep" && !hasPauseDuration(r)) return "paused for a person: promote";
    if (p.reason === "BlueGreenPause") return "preview waiting: promote";
    if (p.reason === "UserPause") return "paused by a person: resume";
  }
  if (s.phase === "Degraded") return "degraded";
  return undefined;
}

function hasPauseDuration(r: Rollout): boolean {
  const steps = canarySteps(r);
  const i = r.status?.currentStepIndex;
  if (i === undefined) return false;
  const step = steps[i] as { pause?: { duration?: unknown } } | undefined;
  return step?.pause?.duration !== undefined;
}

/** A rollout's canary steps, or none for blue-green. */
export function canarySteps(r: Rollout): readonly unknown[] {
  const strategy = r.spec.strategy as { canary?: { steps?: unknown[] } };
  return strategy.canary?.steps ?? [];
}

/** `stable 80 · canary 20`: every revision taking traffic, by role. */
export function weightSummary(r: Rollout): string {
  const revisions = (r.status?.revisions ?? []).filter((v) => v.role !== "old");
  return revisions.map((v) => `${v.role} ${Math.round(v.weight)}`).join(" · ");
}

/** The stages of a pipeline as its planner last saw them; empty before it has been planned. */
export function pipelineStages(p: Pipeline): StageView[] {
  const s = p.status as { stages?: unknown } | undefined;
  return Array.isArray(s?.stages) ? (s.stages as StageView[]) : [];
}

/** Why a pipeline waits for a person: a stage whose approval gate is waiting. */
export function pipelineAttention(p: Pipeline): string | undefined {
  for (const stage of pipelineStages(p)) {
    if (stage.gates.some((g) => g.gate === "approval" && g.state === "Waiting"))
      return `${stage.stage}: approval waiting${stage.candidate ? ` for ${stage.candidate}` : ""}`;
    if (stage.state === "Failed") return `${stage.stage}: failed`;
    if (stage.state === "Unreachable") return `${stage.stage}: ${stage.message}`;
  }
  return undefined;
}

/** The overview's rows: those that need a person first, then by name. */
export function overviewRows(rollouts: readonly Rollout[], pipelines: readonly Pipeline[]): OverviewRow[] {
  const rows: OverviewRow[] = [];
  for (const r of rollouts) {
    const steps = canarySteps(r);
    const i = r.status?.currentStepIndex;
    const attention = rolloutAttention(r);
    rows.push({
      kind: "Rollout",
      name: r.metadata.name,
      phase: r.status?.phase ?? "Pending",
      step: steps.length > 0 && i !== undefined ? `${Math.min(i, steps.length)}/${steps.length}` : "",
      weights: weightSummary(r),
      message: r.status?.message ?? "",
      ...(attention ? { attention } : {}),
    });
  }
  for (const p of pipelines) {
    const stages = pipelineStages(p);
    const attention = pipelineAttention(p);
    rows.push({
      kind: "Pipeline",
      name: p.metadata.name,
      phase: stages.some((s) => s.state === "Failed")
        ? "Failed"
        : stages.some((s) => s.state === "Unreachable")
          ? "Unreachable"
          : stages.some((s) => s.state === "Waiting" || s.state === "Promoting")
            ? "Progressing"
            : "Healthy",
      step: "",
      weights: stages.map((s) => `${s.stage} ${s.release ?? "–"}`).join(" → "),
      message: (p.status as { message?: string } | undefined)?.message ?? stages.find((s) => s.message)?.message ?? "",
      ...(attention ? { attention } : {}),
    });
  }
  return rows.sort(
    (a, b) =>
      Number(b.attention !== undefined) - Number(a.attention !== undefined) ||
      a.name.localeCompare(b.name) ||
      a.kind.localeCompare(b.kind),
  );
}

/** Rows whose name, kind, phase, weights or message contain every word of `query` (case-insensitive). */
export function filterRows(rows: readonly OverviewRow[], query: string, phase = ""): OverviewRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((row) => {
    if (phase && row.phase !== phase) return false;
    if (words.length === 0) return true;
    const text =
      `${row.kind} ${row.name} ${row.phase} ${row.weights} ${row.message} ${row.attention ?? ""}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** What a role may do from the dashboard; the API refuses the rest anyway. */
export function allowedActions(role: string): { rollout: boolean; approve: boolean; pipelineOps: boolean } {
  return {
    rollout: role === "operator" || role === "admin",
    approve: role === "approver" || role === "admin",
    pipelineOps: role === "operator" || role === "admin",
  };
}

/** A countdown in the CLI's short form (`4m12s`, `now`). */
export function countdown(until: string, now: Date): string {
  const s = Math.floor((Date.parse(until) - now.getTime()) / 1000);
  if (!Number.isFinite(s)) return "?";
  if (s <= 0) return "now";
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${Math.floor(s / 3600) % 24}h`;
}

/** One step of a canary plan in words: `weight 20`, `pause 30s`, `pause (until promoted)`, `analysis`. */
export function describeStep(step: unknown): string {
  const s = step as {
    setWeight?: number;
    pause?: { duration?: string | number };
    analysis?: { templates?: { templateName?: string }[] };
  };
  if (s.setWeight !== undefined) return `weight ${s.setWeight}`;
  if (s.pause) return s.pause.duration !== undefined ? `pause ${s.pause.duration}` : "pause (until promoted)";
  if (s.analysis)
    return `analysis ${(s.analysis.templates ?? [])
      .map((t) => t.templateName ?? "")
      .filter(Boolean)
      .join(", ")}`.trim();
  return Object.keys(s)[0] ?? "step";
}

/** Numeric value of a measurement (the provider's JSON text), or null when it holds no single number. */
export function measurementNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  try {
    const v = JSON.parse(value) as unknown;
    const n = Array.isArray(v) ? v[0] : v;
    return typeof n === "number" && Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** One revision's cumulative counts at a look, as the judge stores them. */
interface LookCounts {
  requests: number;
  errors: number;
  buckets?: { le: number; count: number }[];
}

/** The judge's looks as series: canary and baseline error rate and p95 latency, each since the first look. */
export interface JudgeSeries {
  /** Seconds since the epoch. */
  t: number[];
  canaryErrorRate: (number | null)[];
  baselineErrorRate: (number | null)[];
  canaryP95: (number | null)[];
  baselineP95: (number | null)[];
}

/** Error rate of cumulative counts, or null with no requests yet. */
export function errorRate(c: LookCounts): number | null {
  return c.requests > 0 ? c.errors / c.requests : null;
}

/** The `q` quantile (seconds) of cumulative `le` buckets: the smallest bound holding that share; null when empty or beyond the last finite bound. */
export function bucketQuantile(buckets: LookCounts["buckets"], q: number): number | null {
  if (!buckets || buckets.length === 0) return null;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total <= 0) return null;
  for (const b of sorted) if (b.count >= q * total) return Number.isFinite(b.le) ? b.le : null;
  return null;
}

/** Series for a judged metric's chart, from `metricResult.judge.looks`. */
export function judgeSeries(looks: readonly { at: number; canary: LookCounts; baseline: LookCounts }[]): JudgeSeries {
  const out: JudgeSeries = { t: [], canaryErrorRate: [], baselineErrorRate: [], canaryP95: [], baselineP95: [] };
  for (const look of [...looks].sort((a, b) => a.at - b.at)) {
    out.t.push(look.at / 1000);
    out.canaryErrorRate.push(errorRate(look.canary));
    out.baselineErrorRate.push(errorRate(look.baseline));
    out.canaryP95.push(bucketQuantile(look.canary.buckets, 0.95));
    out.baselineP95.push(bucketQuantile(look.baseline.buckets, 0.95));
  }
  return out;
}

/** The numbers a chart draws from one measurement: canary and stable error rate and p95 (builtin), or one value. */
export interface MeasurementNumbers {
  value?: number;
  canaryErrorRate?: number;
  stableErrorRate?: number;
  canaryP95?: number;
  stableP95?: number;
}

const finite = (n: unknown): number | undefined => (typeof n === "number" && Number.isFinite(n) ? n : undefined);

/**
 * What a measurement's value holds for charts: the builtin provider's `{canary, stable}` summaries
 * (error rate and p95 of each revision), or a single number; empty for anything else.
 */
export function measurementNumbers(value: string | undefined): MeasurementNumbers {
  const single = measurementNumber(value);
  if (single !== null) return { value: single };
  if (value === undefined) return {};
  try {
    const v = JSON.parse(value) as { canary?: Record<string, unknown>; stable?: Record<string, unknown> };
    if (typeof v !== "object" || v === null || typeof v.canary !== "object") return {};
    const out: MeasurementNumbers = {};
    const set = (k: keyof MeasurementNumbers, n: unknown) => {
      const f = finite(n);
      if (f !== undefined) out[k] = f;
    };
    set("canaryErrorRate", v.canary?.errorRate);
    set("stableErrorRate", v.stable?.errorRate);
    set("canaryP95", v.canary?.p95);
    set("stableP95", v.stable?.p95);
    return out;
  } catch {
    return {};
  }
}

/** A release as the dashboard reads it: what it changes. */
interface ReleaseLike {
  spec: {
    image?: string;
    command?: string;
    args?: string[];
    env?: { name: string }[];
    features?: Record<string, unknown>;
    source?: { commit?: string };
  };
}

/**
 * What a release changes, in a line: image or command, the names of the env vars it sets (never
 * their values, which may be secrets), its feature flags (on, off or a value) and its commit.
 */
export function releaseChanges(release: ReleaseLike): string {
  const s = release.spec;
  const parts: string[] = [];
  if (s.image) parts.push(`image ${s.image}`);
  if (s.command) parts.push(`command ${[s.command, ...(s.args ?? [])].join(" ").slice(0, 200)}`);
  else if (s.args) parts.push(`args ${s.args.join(" ").slice(0, 200)}`);
  if (s.env && s.env.length > 0) parts.push(`env ${s.env.map((e) => e.name).join(", ")}`);
  const flags = Object.entries(s.features ?? {});
  if (flags.length > 0)
    parts.push(
      `features ${flags
        .map(([k, v]) => (v === true ? `${k} on` : v === false ? `${k} off` : `${k}=${JSON.stringify(v).slice(0, 40)}`))
        .join(", ")}`,
    );
  if (s.source?.commit) parts.push(`commit ${s.source.commit}`);
  return parts.join("; ");
}
