import { describe, expect, it } from "vitest";
import { comparedRevision, nameCompared } from "./comparison.js";

describe("the revision the canary is compared with", () => {
  it("is the baseline when one runs, else stable, else none", () => {
    expect(comparedRevision({ stableRevision: "a", baselineRevision: "a-baseline" })).toEqual({
      revision: "a-baseline",
      role: "baseline",
    });
    expect(comparedRevision({ stableRevision: "a" })).toEqual({ revision: "a", role: "stable" });
    expect(comparedRevision({})).toBeUndefined();
  });

  it("is named in explanations as the judge's baseline or as stable", () => {
    const text = "canary error rate 3.1% vs baseline 1.0% (no canary requests yet (baseline 12))";
    expect(nameCompared(text, "baseline")).toBe(text);
    expect(nameCompared(text, "stable")).toBe(
      "canary error rate 3.1% vs stable 1.0% (no canary requests yet (stable 12))",
    );
  });
});
