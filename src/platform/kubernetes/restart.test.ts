import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podToRestart } from "./restart.js";

const rs = (desired: number, replicas: number, available: number) =>
  ({
    spec: { replicas: desired, selector: {}, template: {} },
    status: { replicas, availableReplicas: available },
  }) as V1ReplicaSet;
const pod = (name: string, created: string, deleting = false): V1Pod => ({
  metadata: {
    name,
    creationTimestamp: new Date(created),
    ...(deleting ? { deletionTimestamp: new Date(created) } : {}),
  },
});

const restartAt = "2025-01-01T12:00:00.000Z";

describe("podToRestart", () => {
  it("picks the oldest pod created before restartAt when the revision is whole", () => {
    const pods = [pod("b", "2025-01-01T11:00:00Z"), pod("a", "2025-01-01T10:00:00Z"), pod("c", "2025-01-01T12:00:01Z")];
    expect(podToRestart(rs(3, 3, 3), pods, restartAt)?.metadata?.name).toBe("a");
  });

  it("does nothing once every pod is newer than restartAt", () => {
    const pods = [pod("a", "2025-01-01T12:00:01Z"), pod("b", "2025-01-01T12:00:02Z")];
    expect(podToRestart(rs(2, 2, 2), pods, restartAt)).toBeUndefined();
  });

  it("waits while a replica is missing, unavailable, surplus or terminating", () => {
    const old = [pod("a", "2025-01-01T10:00:00Z"), pod("b", "2025-01-01T10:00:00Z")];
    expect(podToRestart(rs(2, 2, 1), old, restartAt)).toBeUndefined();
    expect(podToRestart(rs(2, 1, 1), old, restartAt)).toBeUndefined();
    expect(podToRestart(rs(2, 3, 3), old, restartAt)).toBeUndefined();
    expect(podToRestart(rs(2, 2, 2), [...old, pod("z", "2025-01-01T10:00:00Z", true)], restartAt)).toBeUndefined();
  });

  it("does nothing for a revision scaled to zero or a malformed restartAt", () => {
    expect(podToRestart(rs(0, 0, 0), [], restartAt)).toBeUndefined();
    expect(podToRestart(rs(1, 1, 1), [pod("a", "2025-01-01T10:00:00Z")], "yesterday")).toBeUndefined();
  });
});
