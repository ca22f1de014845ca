import type { ApiClient } from "../../src/api/client.js";
import type { Rollout } from "../../src/model/index.js";
import { demoTemplate } from "./controller.js";
import { waitFor } from "./wait.js";

/** A Rollout of the demo app with the given version and canary strategy. */
export function demoRollout(name: string, env: Record<string, string>, strategy: unknown, replicas = 2) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { replicas, template: demoTemplate(env), strategy },
  };
}

/** Resolves with the rollout once `check` holds for its current status (not a status older than its spec). */
export function waitForRollout(
  api: ApiClient,
  name: string,
  check: (r: Rollout) => boolean,
  opts: { timeoutMs?: number; message?: string } = {},
): Promise<Rollout> {
  return waitFor(
    async () => {
      const r = await api.get<Rollout>(`/rollouts/${name}`);
      const current = r.status !== undefined && r.status.observedGeneration >= (r.metadata.generation ?? 0);
      return current && check(r) ? r : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 100, message: opts.message ?? `rollout ${name}` },
  );
}

/** Healthy on its newest revision. */
export const isHealthy = (r: Rollout) =>
  r.status?.phase === "Healthy" && r.status.stableRevision === r.status.currentRevision;

/** The canary revision's weight, 0 when there is none. */
export const canaryWeight = (r: Rollout) => r.status?.revisions.find((x) => x.role === "canary")?.weight ?? 0;
