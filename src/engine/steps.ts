import type { CanaryStep } from "../model/index.js";
import type { TrafficSpec } from "./types.js";

type SetCanaryScale = Extract<CanaryStep, { setCanaryScale: unknown }>["setCanaryScale"];

/**
 * The canary weight while `index` is the current step: the last setWeight at or before it, 0 if
 * none. Past the last step it is the last setWeight of all.
 */
export function weightAt(steps: readonly CanaryStep[], index: number): number {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const step = steps[i];
    if (step && "setWeight" in step) return step.setWeight;
  }
  return 0;
}

/** The setCanaryScale in force at `index`, if any; `matchTrafficWeight` ends the override. */
export function canaryScaleAt(steps: readonly CanaryStep[], index: number): SetCanaryScale | undefined {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const step = steps[i];
    if (step && "setCanaryScale" in step)
      return step.setCanaryScale.matchTrafficWeight ? undefined : step.setCanaryScale;
  }
  return undefined;
}

/**
 * The header and mirror routes in force at `index`: each setHeaderRoute / setMirrorRoute at or
 * before it adds or replaces its route by name, and one without `match` removes it.
 */
export function routesAt(
  steps: readonly CanaryStep[],
  index: number,
  canary: string,
): Pick<TrafficSpec, "headerRoutes" | "mirrorRoutes"> {
  const header = new Map<string, TrafficSpec["headerRoutes"][number]>();
  const mirror = new Map<string, TrafficSpec["mirrorRoutes"][number]>();
  for (const step of steps.slice(0, index + 1)) {
    if ("setHeaderRoute" in step) {
      const { name, match } = step.setHeaderRoute;
      if (match && match.length > 0) header.set(name, { name, revision: canary, match });
      else header.delete(name);
    } else if ("setMirrorRoute" in step) {
      const { name, match, percentage } = step.setMirrorRoute;
      if (match && match.length > 0) mirror.set(name, { name, revision: canary, match, percentage: percentage ?? 100 });
      else mirror.delete(name);
    }
  }
  return { headerRoutes: [...header.values()], mirrorRoutes: [...mirror.values()] };
}

/** One line for a step, as the user wrote it. */
export function describeStep(step: CanaryStep): string {
  if ("setWeight" in step) return `setWeight ${step.setWeight}%`;
  if ("pause" in step)
    return step.pause.duration === undefined
      ? "pause until promoted"
      : `pause ${typeof step.pause.duration === "number" ? `${step.pause.duration}s` : step.pause.duration}`;
  if ("gate" in step) return `gate ${step.gate.name}`;
  if ("analysis" in step) return `analysis ${step.analysis.templates.map((t) => t.templateName).join(", ")}`;
  if ("setCanaryScale" in step) {
    const s = step.setCanaryScale;
    if (s.replicas !== undefined) return `setCanaryScale ${s.replicas} replicas`;
    if (s.weight !== undefined) return `setCanaryScale ${s.weight}%`;
    return "setCanaryScale matchTrafficWeight";
  }
  if ("setHeaderRoute" in step) return `setHeaderRoute ${step.setHeaderRoute.name}`;
  return `setMirrorRoute ${step.setMirrorRoute.name} ${step.setMirrorRoute.percentage ?? 100}%`;
}

/** `step 2/7 (setWeight 25%)`, numbered from 1 as users count. */
export function stepLabel(steps: readonly CanaryStep[], index: number): string {
  const step = steps[index];
  return `step ${index + 1}/${steps.length}${step ? ` (${describeStep(step)})` : ""}`;
}
