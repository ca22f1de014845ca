import { describe, expect, it } from "vitest";
import { canaryReplicas, resolveIntOrPercent, rollingUpdateTargets } from "./replicas.js";

describe("resolveIntOrPercent", () => {
  it.each([
    { value: 2, total: 10, up: true, out: 2 },
    { value: "25%", total: 10, up: true, out: 3 },
    { value: "25%", total: 10, up: false, out: 2 },
    { value: "100%", total: 7, up: false, out: 7 },
    { value: "0%", total: 7, up: true, out: 0 },
  ])("$value of $total (round up: $up) = $out", ({ value, total, up, out }) => {
    expect(resolveIntOrPercent(value, total, up)).toBe(out);
  });
});

describe("canaryReplicas", () => {
  it.each([
    { replicas: 10, weight: 25, scale: undefined, out: 3 },
    { replicas: 10, weight: 1, scale: undefined, out: 1 },
    { replicas: 10, weight: 0, scale: undefined, out: 0 },
    { replicas: 0, weight: 50, scale: undefined, out: 0 },
    { replicas: 10, weight: 0, scale: { replicas: 2 }, out: 2 },
    { replicas: 10, weight: 5, scale: { weight: 50 }, out: 5 },
    { replicas: 10, weight: 100, scale: undefined, out: 10 },
  ])("replicas $replicas weight $weight scale $scale -> $out", ({ replicas, weight, scale, out }) => {
    expect(canaryReplicas(replicas, weight, scale)).toBe(out);
  });
});

describe("rollingUpdateTargets", () => {
  const base = { replicas: 4, maxSurge: 1, maxUnavailable: 0 };

  it.each([
    {
      name: "start: surge one new, keep all old",
      input: { newDesired: 0, newReady: 0, oldDesired: 4, oldExisting: 4, oldReady: 4 },
      out: { newReplicas: 1, oldReplicas: 4, newWeight: 0, done: false },
    },
    {
      name: "one new ready: one old goes",
      input: { newDesired: 1, newReady: 1, oldDesired: 4, oldExisting: 4, oldReady: 4 },
      out: { newReplicas: 1, oldReplicas: 3, newWeight: 20, done: false },
    },
    {
      name: "old scale-down applied: next new one",
      input: { newDesired: 1, newReady: 1, oldDesired: 3, oldExisting: 3, oldReady: 3 },
      out: { newReplicas: 2, oldReplicas: 3, newWeight: 25, done: false },
    },
    {
      name: "all new ready: old to zero, done",
      input: { newDesired: 4, newReady: 4, oldDesired: 1, oldExisting: 1, oldReady: 1 },
      out: { newReplicas: 4, oldReplicas: 0, newWeight: 80, done: true },
    },
    {
      name: "new never shrinks even when old is still there",
      input: { newDesired: 3, newReady: 0, oldDesired: 4, oldExisting: 4, oldReady: 4 },
      out: { newReplicas: 3, oldReplicas: 4, newWeight: 0, done: false },
    },
  ])("$name", ({ input, out }) => {
    expect(rollingUpdateTargets({ ...base, ...input })).toEqual(out);
  });

  it("both limits zero still makes progress with one surge replica", () => {
    const t = rollingUpdateTargets({
      replicas: 2,
      maxSurge: 0,
      maxUnavailable: 0,
      newDesired: 0,
      newReady: 0,
      oldDesired: 2,
      oldExisting: 2,
      oldReady: 2,
    });
    expect(t.newReplicas).toBe(1);
  });
});
