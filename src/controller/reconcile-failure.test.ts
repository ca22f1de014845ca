import { describe, expect, it } from "vitest";
import type { Rollout } from "../model/index.js";
import {
  invalidSpecStatus,
  reconcileErrorStatus,
  retryDelayMs,
  storedSpecProblems,
  withoutControllerConditions,
} from "./reconcile-failure.js";

const now = new Date("2026-01-01T00:00:00Z");
const rollout = (spec: Record<string, unknown> = {}): Rollout =>
  ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", generation: 3 },
    spec: { replicas: 1, template: { process: { command: "node" } }, strategy: { canary: {} }, ...spec },
  }) as unknown as Rollout;

describe("storedSpecProblems", () => {
  it("names the field today's model refuses", () => {
    expect(storedSpecProblems(rollout({ replicas: -1 }))).toEqual([expect.objectContaining({ path: "spec.replicas" })]);
  });
  it("adds what the platform refuses, only for a spec the model accepts", () => {
    const admit = () => [{ path: "spec.template", message: "no" }];
    expect(storedSpecProblems(rollout(), admit)).toEqual([{ path: "spec.template", message: "no" }]);
    expect(storedSpecProblems(rollout())).toEqual([]);
  });
});

describe("invalidSpecStatus", () => {
  it("is Degraded, observed, and records an event only when the problems change", () => {
    const first = invalidSpecStatus(rollout(), [{ path: "spec.replicas", message: "too big" }], now);
    expect(first.status.phase).toBe("Degraded");
    expect(first.status.observedGeneration).toBe(3);
    expect(first.status.message).toMatch(/spec\.replicas: too big; fix the manifest/);
    expect(first.events).toHaveLength(1);
    const again = invalidSpecStatus(
      { ...rollout(), status: first.status },
      [{ path: "spec.replicas", message: "too big" }],
      now,
    );
    expect(again.events).toEqual([]);
    expect(again.status).toEqual(first.status);
    const other = invalidSpecStatus({ ...rollout(), status: first.status }, [{ path: "spec.x", message: "y" }], now);
    expect(other.events).toHaveLength(1);
  });
  it("lists at most five problems", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ path: `spec.f${i}`, message: "bad" }));
    expect(invalidSpecStatus(rollout(), many, now).status.message).toMatch(/\(and 3 more\)/);
  });
});

describe("reconcileErrorStatus", () => {
  it("keeps one event per cause although the retry delay in the message grows", () => {
    const first = reconcileErrorStatus(rollout(), new Error("boom\nstack"), 1_000, now);
    expect(first.status.message).toBe(
      "reconcile failed: boom; Sluice retries in 1s (see the controller log for details)",
    );
    const later = reconcileErrorStatus({ ...rollout(), status: first.status }, new Error("boom"), 8_000, now);
    expect(later.events).toEqual([]);
    expect(later.status.message).toMatch(/retries in 8s/);
  });
  it("replaces an InvalidSpec condition, and both disappear for the engine", () => {
    const invalid = invalidSpecStatus(rollout(), [{ path: "spec.a", message: "b" }], now);
    const failed = reconcileErrorStatus({ ...rollout(), status: invalid.status }, "x", 1_000, now);
    expect(failed.status.conditions.map((c) => c.type)).toEqual(["ReconcileError"]);
    expect(withoutControllerConditions({ ...rollout(), status: failed.status }).status?.conditions).toEqual([]);
  });
});

describe("retryDelayMs", () => {
  it("doubles from a second up to a minute", () => {
    expect([1, 2, 3, 4, 7, 50].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
  });
});
