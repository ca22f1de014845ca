import type { MeasureContext } from "./providers/provider.js";

/** Which revision the canary is compared with, and the word users read for it. */
export interface ComparedRevision {
  revision: string;
  role: "baseline" | "stable";
}

/**
 * The revision analysis compares the canary with: the rollout's baseline revision when it runs one
 * (a fresh copy of stable at the canary's weight), else the stable revision; none before there is one.
 */
export function comparedRevision(
  ctx: Pick<MeasureContext, "stableRevision" | "baselineRevision">,
): ComparedRevision | undefined {
  if (ctx.baselineRevision !== undefined) return { revision: ctx.baselineRevision, role: "baseline" };
  if (ctx.stableRevision !== undefined) return { revision: ctx.stableRevision, role: "stable" };
  return undefined;
}

const BASELINE_WORD = /\bbaseline\b/g;

/**
 * The judge calls whatever the canary is compared with "baseline". When that is the stable
 * revision itself, explanations say "stable", so nobody looks for a baseline revision that never ran.
 */
export function nameCompared(text: string, role: ComparedRevision["role"]): string {
  return role === "stable" ? text.replace(BASELINE_WORD, "stable") : text;
}
