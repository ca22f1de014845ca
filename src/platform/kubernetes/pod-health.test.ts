import type { V1ContainerStatus, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { revisionObservation } from "./pod-health.js";

const rs = (replicas: number, available: number, ready = available): V1ReplicaSet =>
  ({
    metadata: { name: "web-h1" },
    spec: { replicas, selector: {}, template: {} },
    status: { replicas, readyReplicas: ready, availableReplicas: available },
  }) as V1ReplicaSet;

function pod(name: string, statuses: Partial<V1ContainerStatus>[], extra: Partial<V1Pod["metadata"]> = {}): V1Pod {
  return {
    metadata: { name, ...extra },
    status: {
      phase: "Pending",
      containerStatuses: statuses.map((s) => ({
        name: "app",
        image: "nginx:1",
        imageID: "",
        ready: false,
        restartCount: 0,
        ...s,
      })),
    },
  };
}

describe("revisionObservation", () => {
  it("reports replicas from status.replicas and ready from availableReplicas (minReadySeconds honoured)", () => {
    // Three pods are ready but only one has been ready for minReadySeconds.
    expect(revisionObservation("h1", rs(3, 1, 3), [])).toEqual({ hash: "h1", replicas: 3, ready: 1 });
  });

  it("reports zero for a ReplicaSet the controller manager has not counted yet", () => {
    expect(revisionObservation("h1", { metadata: {} } as V1ReplicaSet, [])).toEqual({
      hash: "h1",
      replicas: 0,
      ready: 0,
    });
    expect(revisionObservation("h1", undefined, [])).toEqual({ hash: "h1", replicas: 0, ready: 0 });
  });

  it("flags CrashLoopBackOff with pod, container, reason and restart count", () => {
    const crashing = pod("web-h1-abcde", [
      {
        restartCount: 2,
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container" } },
      },
    ]);
    const obs = revisionObservation("h1", rs(1, 0), [crashing]);
    expect(obs.crashLooping?.message).toBe("pod web-h1-abcde container app: CrashLoopBackOff, restarted 2 times");
    expect(obs.neverReady).toBeUndefined();
  });

  it("flags three restarts even while the container is running again, with the last termination reason", () => {
    const flapping = pod("web-h1-xyz", [
      { restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } },
    ]);
    expect(revisionObservation("h1", rs(1, 1), [flapping]).crashLooping?.message).toBe(
      "pod web-h1-xyz container app: OOMKilled, restarted 3 times",
    );
    const twice = pod("web-h1-xyz", [{ restartCount: 2, state: { running: {} } }]);
    expect(revisionObservation("h1", rs(1, 1), [twice]).crashLooping).toBeUndefined();
  });

  it.each([
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
  ])("flags %s as never ready with the kubelet's message", (reason) => {
    const stuck = pod("web-h1-aaaaa", [{ state: { waiting: { reason, message: 'Back-off pulling image "bad"' } } }]);
    const obs = revisionObservation("h1", rs(1, 0), [stuck]);
    expect(obs.neverReady?.message).toBe(`pod web-h1-aaaaa container app: ${reason}: Back-off pulling image "bad"`);
    expect(obs.crashLooping).toBeUndefined();
  });

  it("does not flag a container that is merely starting", () => {
    const starting = pod("web-h1-b", [{ state: { waiting: { reason: "ContainerCreating" } } }]);
    const obs = revisionObservation("h1", rs(1, 0), [starting]);
    expect(obs.neverReady).toBeUndefined();
    expect(obs.crashLooping).toBeUndefined();
  });

  it("looks at init containers too", () => {
    const p = pod("web-h1-c", []);
    p.status!.initContainerStatuses = [
      {
        name: "migrate",
        image: "bad",
        imageID: "",
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: "ErrImagePull", message: "not found" } },
      },
    ];
    expect(revisionObservation("h1", rs(1, 0), [p]).neverReady?.message).toBe(
      "pod web-h1-c container migrate: ErrImagePull: not found",
    );
  });

  it("names the same pod every time (by name) and ignores terminating pods", () => {
    const waiting = { state: { waiting: { reason: "CrashLoopBackOff" } }, restartCount: 5 };
    const b = pod("web-h1-b", [waiting]);
    const a = pod("web-h1-a", [waiting]);
    const gone = pod("web-h1-0", [waiting], { deletionTimestamp: new Date() });
    expect(revisionObservation("h1", rs(2, 0), [b, gone, a]).crashLooping?.message).toContain("pod web-h1-a ");
    expect(revisionObservation("h1", rs(1, 0), [gone]).crashLooping).toBeUndefined();
  });
});
