import type { V1ContainerStatus, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { RevisionObservation } from "../../engine/types.js";

/** Restarts after which a container counts as crash looping even between back-offs. */
export const CRASH_RESTARTS = 3;

/** Waiting reasons that mean a pod will not become ready without a change to the template or cluster. */
export const NEVER_READY_REASONS: readonly string[] = [
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
];

/**
 * What the engine sees of one revision: replicas from the ReplicaSet's status, ready ones as its
 * available replicas (so minReadySeconds counts), and the first crash loop or hopeless pod among
 * its pods, named with the container, the reason and what the kubelet said.
 */
export function revisionObservation(hash: string, rs: V1ReplicaSet | undefined, pods: V1Pod[]): RevisionObservation {
  const out: RevisionObservation = {
    hash,
    replicas: rs?.status?.replicas ?? 0,
    ready: rs?.status?.availableReplicas ?? 0,
  };
  // Sorted so the message names the same pod every reconcile; terminating pods are on their way out.
  const live = pods
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  for (const pod of live) {
    const podName = pod.metadata?.name ?? "?";
    for (const c of containerStatuses(pod)) {
      const waiting = c.state?.waiting;
      if (!out.crashLooping && (waiting?.reason === "CrashLoopBackOff" || c.restartCount >= CRASH_RESTARTS)) {
        const reason = waiting?.reason ?? c.lastState?.terminated?.reason ?? "restarting";
        out.crashLooping = {
          message: `pod ${podName} container ${c.name}: ${reason}, restarted ${c.restartCount} time${c.restartCount === 1 ? "" : "s"}`,
        };
      }
      if (!out.neverReady && waiting?.reason && NEVER_READY_REASONS.includes(waiting.reason)) {
        const said = waiting.message ? `: ${waiting.message}` : "";
        out.neverReady = { message: `pod ${podName} container ${c.name}: ${waiting.reason}${said}` };
      }
    }
  }
  return out;
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}
