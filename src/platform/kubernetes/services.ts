import { ApiException, type CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { baselineKey } from "../../engine/baseline.js";
import type { TrafficSpec } from "../../engine/types.js";
import type { Rollout } from "../../model/index.js";
import { PlatformError } from "../port.js";
import { describeApiError } from "./api-errors.js";
import { HASH_LABEL } from "./replicasets.js";

/** The revisions traffic is split between: stable (or blue-green active) and canary (or preview). */
export interface TrafficRoles {
  stable: string;
  /** Undefined when only stable runs: nothing is being rolled out. */
  canary?: string;
  /** The baseline copy of stable (`<stable>-baseline`), while one takes traffic. */
  baseline?: string;
}

/** One user-owned Service and the revision hash its selector should point at. */
export interface ServicePointer {
  service: string;
  /** The Rollout field that names the Service, for error messages. */
  field: string;
  hash: string;
}

/** The revision with the most traffic; ties go to `prefer`, then to the lower hash so the answer is stable. */
function heaviest(weights: Record<string, number>, prefer?: string): string | undefined {
  let best: string | undefined;
  for (const [hash, weight] of Object.entries(weights).sort(([a], [b]) => a.localeCompare(b))) {
    const top = best === undefined ? -1 : (weights[best] ?? 0);
    if (weight > top || (weight === top && hash === prefer)) best = hash;
  }
  return best;
}

/**
 * Which revision is stable and which is the canary. Canary: stable is status.stableRevision (else
 * the one with most traffic) and the canary is the revision in the canary role, else the current
 * revision when it differs. Blue-green: stable is the active revision (most traffic, which moves to
 * the preview at the switch) and the canary is the preview.
 */
export function trafficRoles(rollout: Rollout, traffic: TrafficSpec): TrafficRoles | undefined {
  const status = rollout.status;
  if (rollout.spec.strategy.blueGreen) {
    const active = heaviest(traffic.weights, status?.stableRevision) ?? status?.stableRevision;
    if (active === undefined) return undefined;
    const preview = traffic.preview;
    return preview !== undefined && preview !== active ? { stable: active, canary: preview } : { stable: active };
  }
  const stable = status?.stableRevision ?? heaviest(traffic.weights);
  if (stable === undefined) return undefined;
  const inCanaryRole = status?.revisions.find((r) => r.role === "canary" && r.hash !== stable)?.hash;
  const current = status?.currentRevision;
  const canary = inCanaryRole ?? (current !== undefined && current !== stable ? current : undefined);
  // Read from the traffic being set, not from status: the first split that includes it comes
  // before status records the baseline.
  const baseline = baselineKey(stable);
  const withBaseline = Object.hasOwn(traffic.weights, baseline) ? { baseline } : {};
  return canary !== undefined ? { stable, canary, ...withBaseline } : { stable };
}

/**
 * The Services the rollout names and where each should point. A canary Service points at stable
 * when there is no canary, as does a preview Service with no preview, so neither selects nothing.
 */
export function servicePointers(rollout: Rollout, roles: TrafficRoles): ServicePointer[] {
  const { canary, blueGreen } = rollout.spec.strategy;
  const next = roles.canary ?? roles.stable;
  const out: ServicePointer[] = [];
  if (canary) {
    if (canary.stableService)
      out.push({ service: canary.stableService, field: "spec.strategy.canary.stableService", hash: roles.stable });
    if (canary.canaryService)
      out.push({ service: canary.canaryService, field: "spec.strategy.canary.canaryService", hash: next });
    // With no baseline running, the baseline Service follows stable so it never selects nothing.
    if (canary.baselineService)
      out.push({
        service: canary.baselineService,
        field: "spec.strategy.canary.baselineService",
        hash: roles.baseline ?? roles.stable,
      });
  }
  if (blueGreen) {
    if (blueGreen.activeService)
      out.push({
        service: blueGreen.activeService,
        field: "spec.strategy.blueGreen.activeService",
        hash: roles.stable,
      });
    if (blueGreen.previewService)
      out.push({ service: blueGreen.previewService, field: "spec.strategy.blueGreen.previewService", hash: next });
  }
  return out;
}

/** The part of the Kubernetes client that switches Services. */
export type ServiceClient = Pick<CoreV1Api, "patchNamespacedService">;

/**
 * Points each Service at its revision with a merge patch of only the selector's hash key, so the
 * user's other selector keys, ports and annotations stay as they are. A missing Service is a
 * {@link PlatformError} naming it and the Rollout field that refers to it.
 */
export async function pointServices(
  core: ServiceClient,
  namespace: string,
  pointers: ServicePointer[],
  fieldManager: string,
): Promise<void> {
  for (const p of pointers) {
    try {
      await core.patchNamespacedService(
        { name: p.service, namespace, body: { spec: { selector: { [HASH_LABEL]: p.hash } } }, fieldManager },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (err) {
      if (err instanceof ApiException && err.code === 404)
        throw new PlatformError(
          `Service ${namespace}/${p.service} not found; ${p.field} names it. Create the Service or correct ${p.field}`,
          undefined,
          { cause: err },
        );
      throw new PlatformError(
        `could not point Service ${namespace}/${p.service} (${p.field}) at revision ${p.hash}: ${describeApiError(err)}`,
        undefined,
        { cause: err },
      );
    }
  }
}
