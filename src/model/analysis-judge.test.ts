import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnalysisTemplateSpec, Metric } from "./analysis.js";
import { MAX_MIN_REQUESTS, MAX_RELATIVE_INCREASE } from "./limits.js";

const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 0.5, 0.999, 1e-9, 1e9, 1e308, Number.NaN, Number.POSITIVE_INFINITY),
);
const anyValue = fc.oneof(anyNumber, fc.string({ maxLength: 20 }), fc.constant(null), fc.boolean());

describe("judge fields are bounded (property)", () => {
  it("every judge a user can write either parses within the bounds or is refused at a judge field path", () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            kind: fc.constantFrom("errorRate", "latency"),
            rel: anyNumber,
            abs: anyNumber,
            quantile: anyNumber,
            minRequests: anyValue,
            maxRequests: anyValue,
            maxDuration: anyValue,
            on: fc.oneof(fc.constantFrom("abort", "pause"), fc.string({ maxLength: 8 })),
          },
          { requiredKeys: ["kind"] },
        ),
        (j) => {
          const test =
            j.kind === "errorRate"
              ? { errorRate: { maxRelativeIncrease: j.rel, maxAbsoluteIncrease: j.abs } }
              : { latency: { quantile: j.quantile, maxRelativeIncrease: j.rel } };
          const judge: Record<string, unknown> = { ...test };
          if ("minRequests" in j) judge.minRequests = j.minRequests;
          if ("maxRequests" in j) judge.maxRequests = j.maxRequests;
          if ("maxDuration" in j) judge.maxDuration = j.maxDuration;
          if ("on" in j) judge.onInsufficientEvidence = j.on;
          const r = Metric.safeParse({ name: "m", provider: { builtin: {} }, judge });
          if (!r.success) {
            for (const issue of r.error.issues) expect(issue.path[0]).toBe("judge");
            return;
          }
          const p = r.data.judge;
          if (!p) throw new Error("judge dropped");
          expect(p.minRequests).toBeGreaterThan(0);
          expect(p.minRequests).toBeLessThanOrEqual(MAX_MIN_REQUESTS);
          if (p.maxRequests !== undefined) expect(p.maxRequests).toBeLessThanOrEqual(MAX_MIN_REQUESTS);
          const rel = p.errorRate?.maxRelativeIncrease ?? p.latency?.maxRelativeIncrease ?? 0;
          expect(rel >= 0 && rel <= MAX_RELATIVE_INCREASE).toBe(true);
          if (p.latency) expect(p.latency.quantile >= 0.5 && p.latency.quantile <= 0.999).toBe(true);
          if (p.errorRate)
            expect(p.errorRate.maxAbsoluteIncrease >= 0 && p.errorRate.maxAbsoluteIncrease <= 1).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("alpha is a probability in (0, 0.5]", () => {
    fc.assert(
      fc.property(anyNumber, (alpha) => {
        const r = AnalysisTemplateSpec.safeParse({ alpha });
        expect(r.success).toBe(Number.isFinite(alpha) && alpha >= 1e-9 && alpha <= 0.5);
        if (!r.success) expect(r.error.issues[0]?.path).toEqual(["alpha"]);
      }),
      { numRuns: 300 },
    );
  });
});
