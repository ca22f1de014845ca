import type { CoreV1Event } from "@kubernetes/client-node";
import type { RolloutEvent } from "../../engine/types.js";
import type { Resource } from "../../ports/control-plane.js";
import { SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";

/** Who writes an Event: the component (`sluice-controller`, `sluice-cli`) and, for a controller, its replica. */
export interface EventReporter {
  component: string;
  instance?: string;
}

/**
 * The core/v1 Event recording `event` on a Sluice object, as `kubectl describe` and
 * `sluice describe` show it.
 *
 * @example await core.createNamespacedEvent({ namespace, body: kubeEvent(rollout, namespace, e, { component: "sluice-cli" }, new Date()) })
 */
export function kubeEvent(
  resource: Pick<Resource, "kind" | "metadata">,
  namespace: string,
  event: RolloutEvent,
  reporter: EventReporter,
  time: Date,
): CoreV1Event {
  const { name, uid, resourceVersion } = resource.metadata;
  return {
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: {
      apiVersion: `${SLUICE_GROUP}/${SLUICE_VERSION}`,
      kind: resource.kind,
      name,
      namespace,
      ...(uid ? { uid } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component: reporter.component },
    reportingComponent: reporter.component,
    ...(reporter.instance ? { reportingInstance: reporter.instance } : {}),
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
