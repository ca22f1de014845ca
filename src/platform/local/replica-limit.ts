import type { Rollout } from "../../model/index.js";

/**
 * Most replicas one revision may have on the local platform. Each replica is a child process with
 * its own port and log file; a few hundred is already more than one machine serves well, and the
 * model's platform-neutral bound (10,000) would exhaust it long before.
 */
export const LOCAL_MAX_REPLICAS = 200;

const tooMany = (n: number) =>
  `${n} replicas is more than the local platform runs (at most ${LOCAL_MAX_REPLICAS}, each a process on this machine); use Kubernetes for more`;

/** Replica counts in a rollout that the local platform refuses at apply, with their field paths. */
export function localReplicaProblems(rollout: Rollout): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (path: string, n: number | undefined) => {
    if (n !== undefined && n > LOCAL_MAX_REPLICAS) out.push({ path, message: tooMany(n) });
  };
  check("spec.replicas", rollout.spec.replicas);
  check("spec.strategy.blueGreen.previewReplicaCount", rollout.spec.strategy.blueGreen?.previewReplicaCount);
  rollout.spec.strategy.canary?.steps.forEach((step, i) => {
    if ("setCanaryScale" in step)
      check(`spec.strategy.canary.steps[${i}].setCanaryScale.replicas`, step.setCanaryScale.replicas);
  });
  return out;
}
