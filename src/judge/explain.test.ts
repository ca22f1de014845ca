import { describe, expect, it } from "vitest";
import { confidenceText, count, evidenceText, percent, points, thresholdText } from "./explain.js";

describe("the judge's wording", () => {
  it("prints rates, differences, evidence and thresholds as a person reads them", () => {
    expect(percent(0.0312)).toBe("3.1%");
    expect(percent(0.00012)).toBe("0.012%");
    expect(points(0.021)).toBe("+2.1");
    expect(points(-0.0004)).toBe("-0.040");
    expect(evidenceText(212.4)).toBe("212");
    expect(evidenceText(3.2)).toBe("3.2");
    expect(evidenceText(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(evidenceText(5e7)).toBe("5.0e+7");
    expect(thresholdText(0.01)).toBe("100");
    expect(confidenceText(0.01)).toBe("99%");
    expect(confidenceText(0.005)).toBe("99.5%");
    expect(count(12345.4)).toBe("12,345");
  });
});
