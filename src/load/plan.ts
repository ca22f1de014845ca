import { RUN_LABELS } from "../analysis/run-builder.js";
import type { AnalysisRun } from "../model/analysis.js";
import { durationMs } from "../model/duration.js";
import type { GeneratedLoad } from "../model/generated-load.js";
import type { Rollout } from "../model/rollout.js";

/** Load that should be running now: one per analysis step whose run is measuring. */
export interface WantedLoad {
  /** The analysis run the load feeds; the load lives and dies with it. */
  run: string;
  rollout: string;
  /** The canary revision it is sent to. */
  revision: string;
  load: GeneratedLoad;
  /** Milliseconds left of `duration`; undefined: until the run ends. */
  remainingMs?: number;
}

const FINISHED = new Set(["Successful", "Failed", "Error", "Inconclusive"]);

/**
 * Which load should run, from the stored rollouts and analysis runs alone, so a restarted
 * controller arrives at the same answer and load never outlives its analysis: none for an aborted
 * or paused rollout, for a run that has finished or been told to stop, or once its duration
 * (counted from the run's start) is over.
 */
export function wantedLoads(rollouts: readonly Rollout[], runs: readonly AnalysisRun[], now: Date): WantedLoad[] {
  const byName = new Map(runs.map((r) => [r.metadata.name, r]));
  const out: WantedLoad[] = [];
  for (const r of rollouts) {
    const s = r.status;
    const runName = s?.analysisRuns?.step;
    if (!s || runName === undefined || s.abort || r.spec.paused) continue;
    const step = r.spec.strategy.canary?.steps?.[s.currentStepIndex ?? 0];
    const load = step && "analysis" in step ? step.analysis.load : undefined;
    if (!load) continue;
    const run = byName.get(runName);
    if (!run || run.spec.terminate || FINISHED.has(run.status?.phase ?? "Pending")) continue;
    const revision = run.metadata.labels?.[RUN_LABELS.revision];
    if (!revision) continue;
    let remainingMs: number | undefined;
    if (load.duration !== undefined) {
      const started = Date.parse(run.status?.startedAt ?? "") || now.getTime();
      remainingMs = durationMs(load.duration) - (now.getTime() - started);
      if (remainingMs <= 0) continue;
    }
    out.push({
      run: runName,
      rollout: r.metadata.name,
      revision,
      load,
      ...(remainingMs !== undefined ? { remainingMs } : {}),
    });
  }
  return out;
}
