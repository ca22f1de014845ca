import { ancestors, type PlanContext, record, releaseIndex } from "./context.js";

/**
 * The last release that passed `stage` (was Healthy there), other than `failed`, and not rejected:
 * where `rollbackEarlier` sends earlier stages back to.
 */
export function lastGoodRelease(ctx: PlanContext, stage: string, failed: string): string | undefined {
  let best: string | undefined;
  for (const e of ctx.ledger.stageEntries(stage, ["Healthy"])) {
    if (e.release === failed || ctx.ledger.rejected(e.release)) continue;
    if (best === undefined || releaseIndex(ctx, e.release) >= releaseIndex(ctx, best)) best = e.release;
  }
  return best;
}

/**
 * Carries out the pipeline's onFailure after `release` failed in (or at the gates of) `stage`.
 * `leave` does nothing. `rollbackEarlier` sends every earlier stage whose record says it runs the
 * failed release back to the last release that passed `stage`; stages that moved on are left alone.
 */
export function onFailure(ctx: PlanContext, stage: string, release: string): void {
  if (ctx.input.pipeline.spec.onFailure !== "rollbackEarlier") return;
  const earlier = ancestors(ctx, stage);
  const affected = ctx.stages.filter((s) => earlier.has(s.name) && ctx.ledger.desired(s.name)?.release === release);
  if (affected.length === 0) return;
  const good = lastGoodRelease(ctx, stage, release);
  if (good === undefined) {
    ctx.warnings.push({
      stage,
      release,
      message: `no earlier release passed ${stage}, so ${affected.map((s) => s.name).join(", ")} keep ${release}`,
    });
    return;
  }
  for (const s of affected)
    record(ctx, "RolledBack", {
      release: good,
      stage: s.name,
      reason: `${release} failed in ${stage}; back to ${good}, the last release that passed ${stage}`,
    });
}
