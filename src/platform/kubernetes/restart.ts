import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";

/**
 * The pod to replace next for `sluice restart`: the oldest one created before `restartAt`, but only
 * while the revision is whole (every desired replica available, no surplus, none terminating), so
 * a restart never takes away more than one replica at a time. Undefined when nothing is to be done now.
 */
export function podToRestart(rs: V1ReplicaSet, pods: V1Pod[], restartAt: string): V1Pod | undefined {
  const at = Date.parse(restartAt);
  if (Number.isNaN(at)) return undefined;
  const desired = rs.spec?.replicas ?? 0;
  if (desired === 0) return undefined;
  const status = rs.status;
  if ((status?.replicas ?? 0) !== desired || (status?.availableReplicas ?? 0) < desired) return undefined;
  if (pods.some((p) => p.metadata?.deletionTimestamp)) return undefined;
  const created = (p: V1Pod) => {
    const t = p.metadata?.creationTimestamp;
    return t === undefined ? Number.NaN : new Date(t).getTime();
  };
  return pods
    .filter((p) => created(p) < at)
    .sort((a, b) => created(a) - created(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))[0];
}
