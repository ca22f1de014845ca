import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baselineKey } from "./baseline.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const analysis = { analysis: { templates: [{ templateName: "judge" }] } };

function withBaseline(steps: unknown[], extra: Record<string, unknown> = {}) {
  const h = new EngineHarness(rolloutManifest({ strategy: { canary: { baseline: true, steps, ...extra } } }));
  h.settle();
  return h;
}

const v2 = (h: EngineHarness) => h.update((s) => setVersion(s, "v2"));

describe("baseline revision", () => {
  it("gives the baseline the canary's weight and replicas while stable keeps 100 - 2w", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    v2(h);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 60, [h.hash(2)]: 20, [key]: 20 });
    expect(h.platform.get(key)).toEqual({ replicas: 1, ready: 1 });
    expect(h.replicas(2)).toBe(1);
    expect(h.replicas(1)).toBe(4);
    const entry = h.status.revisions.find((r) => r.role === "baseline");
    expect(entry).toMatchObject({ hash: key, number: 1, weight: 20, replicas: 1 });
    // The platform learns which template the baseline copies: the stable revision's.
    const scale = h.last?.actions.find((a) => a.type === "scaleRevision" && a.hash === key);
    expect(scale).toMatchObject({ copyOf: h.hash(1), replicas: 1 });

    h.command({ type: "promote" });
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 20, [h.hash(2)]: 40, [key]: 40 });
    expect(h.platform.get(key)?.replicas).toBe(2);
    expect(h.reasons().filter((r) => r === "BaselineStarted")).toHaveLength(1);
  });

  it("starts the baseline before the canary takes traffic", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    h.readyCap[key] = 0;
    v2(h);
    expect(h.platform.get(key)?.replicas).toBe(1);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 100, [h.hash(2)]: 0, [key]: 0 });
    expect(h.status.message).toMatch(/^waiting for baseline .*-baseline, 0\/1 ready/);
    expect(h.status.currentStepIndex).toBe(0);

    h.setReadyCap(key, undefined);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 60, [h.hash(2)]: 20, [key]: 20 });
    expect(h.status.phase).toBe("Paused");
  });

  it("never promotes past a baseline that cannot run, and says why", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: { duration: "1m" } }]);
    const key = baselineKey(h.hash(1));
    h.readyCap[key] = 0;
    h.failures[key] = { crashLooping: { message: "exited with code 1, 3 times in 60s" } };
    v2(h);
    h.advance(120_000);
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.traffic?.weights[h.hash(2)]).toBe(0);
    expect(h.status.message).toBe(
      `baseline ${key} is not running (exited with code 1, 3 times in 60s), 0/1 ready; the canary waits for it: fix the stable template, or turn baseline off, or abort`,
    );
  });

  it("names the baseline in the analysis runs it starts, so analysis compares the canary with it", () => {
    const h = withBaseline([{ setWeight: 10 }, analysis], {
      analysis: { templates: [{ templateName: "bg" }], startingStep: 0 },
    });
    v2(h);
    const key = baselineKey(h.hash(1));
    expect(h.runs.map((r) => [r.role, r.canaryRevision, r.stableRevision, r.baselineRevision])).toEqual([
      ["background", h.hash(2), h.hash(1), key],
      ["step", h.hash(2), h.hash(1), key],
    ]);
  });

  it("removes the baseline on promotion", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    v2(h);
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.deleted).toContain(key);
    expect(h.platform.has(key)).toBe(false);
    expect(h.status.revisions.some((r) => r.role === "baseline")).toBe(false);
    expect(h.traffic?.weights[key]).toBeUndefined();
    expect(h.weight(2)).toBe(100);
    expect(h.reasons()).toContain("BaselineRemoved");
  });

  it("removes the baseline on abort, with all traffic back on stable", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    v2(h);
    h.command({ type: "abort" });
    expect(h.status.abort).toBe(true);
    expect(h.deleted).toContain(key);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 100, [h.hash(2)]: 0 });
  });

  it("removes the baseline when the template goes back to stable", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    v2(h);
    h.update((s) => setVersion(s, "v1"));
    expect(h.deleted).toContain(key);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 100 });
  });

  it("removes the baseline when baseline is turned off mid-rollout, and its share goes back to stable", () => {
    const h = withBaseline([{ setWeight: 20 }, { pause: {} }]);
    const key = baselineKey(h.hash(1));
    v2(h);
    expect(h.traffic?.weights[key]).toBe(20);
    h.update((s) => {
      const canary = (s.strategy as { canary: { baseline?: boolean } }).canary;
      canary.baseline = false;
    });
    expect(h.deleted).toContain(key);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 80, [h.hash(2)]: 20 });
    expect(h.status.revisions.some((r) => r.role === "baseline")).toBe(false);
  });

  it("is idempotent: reconciling the same inputs again decides nothing new", () => {
    const h = withBaseline([{ setWeight: 20 }, analysis]);
    v2(h);
    const again = h.reconcileOnce();
    expect(again.status).toEqual(h.status);
    expect(again.events).toEqual([]);
    expect(again.actions.filter((a) => a.type === "startAnalysisRun" || a.type === "deleteRevision")).toEqual([]);
  });

  it("runs no baseline without the field", () => {
    const h = new EngineHarness(
      rolloutManifest({ strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } }),
    );
    h.settle();
    v2(h);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 80, [h.hash(2)]: 20 });
    expect(h.runs).toEqual([]);
  });
});

describe("baseline revision, any plan", () => {
  it("property: at every step weights sum to 100, the baseline matches the canary, and nothing is left after promotion", () => {
    const step = fc.oneof(
      fc.integer({ min: 0, max: 50 }).map((w) => ({ setWeight: w })),
      fc.constant({ pause: {} }),
      fc.integer({ min: 1, max: 4 }).map((n) => ({ setCanaryScale: { replicas: n } })),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), fc.boolean(), (steps, abort) => {
        const h = withBaseline(steps);
        const key = baselineKey(h.hash(1));
        v2(h);
        for (let i = 0; i < steps.length + 2 && h.status.phase !== "Healthy"; i++) {
          const weights = h.traffic?.weights ?? {};
          expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(100);
          const canary = h.status.revisions.find((r) => r.role === "canary");
          const baseline = h.status.revisions.find((r) => r.role === "baseline");
          if (baseline && canary) {
            expect(baseline.hash).toBe(key);
            expect(baseline.weight).toBe(canary.weight);
            expect(baseline.replicas).toBe(canary.replicas);
            expect(weights[h.hash(1)]).toBe(100 - 2 * canary.weight);
          }
          if (abort && i === 1) {
            h.command({ type: "abort" });
            expect(h.status.revisions.some((r) => r.role === "baseline")).toBe(false);
            expect(h.platform.has(key)).toBe(false);
            return;
          }
          h.command({ type: "promote" });
        }
        expect(h.status.phase).toBe("Healthy");
        expect(h.platform.has(key)).toBe(false);
        expect(Object.keys(h.traffic?.weights ?? {})).not.toContain(key);
      }),
      { numRuns: 150 },
    );
  });
});
