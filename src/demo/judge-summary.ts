import { RUN_LABELS } from "../analysis/run-builder.js";
import type { AnalysisRun } from "../model/index.js";

/** One judged metric's decision in one analysis run. */
export interface JudgeDecision {
  rollout: string;
  run: string;
  metric: string;
  outcome: string;
  /** Canary requests the judge had seen when it decided (or so far, while it runs). */
  canaryRequests: number;
  explanation: string;
}

/** The judged metrics' decisions of the given runs, oldest run first. */
export function judgeDecisions(runs: readonly AnalysisRun[]): JudgeDecision[] {
  const sorted = [...runs].sort(
    (a, b) =>
      (a.status?.startedAt ?? "").localeCompare(b.status?.startedAt ?? "") ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  return sorted.flatMap((run) =>
    (run.status?.metricResults ?? []).flatMap((m) =>
      m.judge
        ? [
            {
              rollout: run.metadata.labels?.[RUN_LABELS.rollout] ?? run.metadata.name,
              run: run.metadata.name,
              metric: m.name,
              outcome: m.judge.outcome,
              canaryRequests: m.judge.looks.at(-1)?.canary.requests ?? 0,
              explanation: m.judge.explanation ?? "",
            },
          ]
        : [],
    ),
  );
}

/** The summary's lines: how many canary requests each judged decision took. */
export function judgeDecisionLines(decisions: readonly JudgeDecision[]): string[] {
  if (decisions.length === 0) return [];
  return [
    "The judge's decisions (canary requests each took):",
    ...decisions.map(
      (d) =>
        `  ${d.run} ${d.metric}: ${d.outcome === "Running" ? "stopped undecided" : d.outcome} after ${d.canaryRequests} canary requests — ${d.explanation}`,
    ),
  ];
}
