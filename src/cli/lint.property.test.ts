import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzBases, manifestCase } from "../model/arbitraries.js";
import { type Duration, durationMs } from "../model/index.js";
import { MAX_DURATION_MS, MAX_REPLICAS } from "../model/limits.js";
import { loadText } from "../model/load.js";
import { analysisChecks } from "./lint.js";

// Generous: a case takes milliseconds; this only catches a hang or a blow-up.
const MAX_MS_PER_CASE = 3000;

describe("lint over generated hostile manifests", () => {
  it("terminates quickly with resources or field-path errors, and never throws", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(manifestCase(fuzzBases()), ({ text }) => {
        const started = performance.now();
        const { resources, errors } = loadText(text, "fuzz.yaml", { extraChecks: analysisChecks });
        expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CASE);
        for (const e of errors) {
          expect(e.message).not.toBe("");
          expect(e.message).not.toMatch(/Maximum call stack|Invalid time value|invalid size/i);
        }
        accepted += resources.length;
        refused += errors.length > 0 ? 1 : 0;
        for (const r of resources) {
          if (r.kind !== "Rollout") continue;
          // What lint accepts, the engine can schedule: replica counts and pause ends a Date can hold.
          expect(r.spec.replicas).toBeLessThanOrEqual(MAX_REPLICAS);
          for (const step of r.spec.strategy.canary?.steps ?? []) {
            if (!("pause" in step) || step.pause.duration === undefined) continue;
            const ms = durationMs(step.pause.duration as Duration);
            expect(ms).toBeLessThanOrEqual(MAX_DURATION_MS);
            expect(() => new Date(Date.now() + ms).toISOString()).not.toThrow();
          }
        }
      }),
      { numRuns: 300 },
    );
    // Both outcomes are reached, or the generators have drifted away from real manifests.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
