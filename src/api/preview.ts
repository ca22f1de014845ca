import type { ChangeNotice, Resource } from "../ports/control-plane.js";

/** Where the runtime serves a blue-green rollout's preview revision, when it knows it. */
export type PreviewUrlOf = (rollout: string) => string | undefined;

/**
 * Adds `status.previewUrl` to a blue-green rollout whose preview listener the runtime knows. It
 * is observed state of the local runtime, not stored, so it is added on the way out; the Kubernetes
 * platform has no such listener and gives no `previewUrl`.
 */
export function withPreviewUrl<T extends Resource>(resource: T, previewUrlOf: PreviewUrlOf | undefined): T {
  if (!previewUrlOf || resource.kind !== "Rollout" || !resource.spec.strategy.blueGreen || !resource.status)
    return resource;
  const previewUrl = previewUrlOf(resource.metadata.name);
  return previewUrl ? { ...resource, status: { ...resource.status, previewUrl } } : resource;
}

/** {@link withPreviewUrl} for the rollout inside a watch notice. */
export function noticeWithPreviewUrl(change: ChangeNotice, previewUrlOf: PreviewUrlOf | undefined): ChangeNotice {
  return change.type === "status" ? { ...change, resource: withPreviewUrl(change.resource, previewUrlOf) } : change;
}
