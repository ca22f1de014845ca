import { describe, expect, it } from "vitest";
import { suggestArgoJudge, suggestFlaggerJudge } from "./judge-suggestions.js";
import { formatNote, Notes } from "./notes.js";

const lines = (fn: (n: Notes) => void) => {
  const notes = new Notes("in.yaml", "Canary/web");
  fn(notes);
  return notes.notes.map(formatNote);
};

describe("judge suggestions", () => {
  it("suggests an errorRate judge beside Flagger's success rate and a latency judge beside its duration", () => {
    const [rate] = lines((n) => suggestFlaggerJudge("request-success-rate", "1m", "spec.analysis.metrics[0]", n));
    expect(rate).toMatch(/^info: in\.yaml: Canary\/web spec\.analysis\.metrics\[0\]: suggestion: /);
    expect(rate).toContain("judge: {errorRate: {}}");
    expect(rate).toContain("{builtin: {window: 1m}}");
    const [duration] = lines((n) => suggestFlaggerJudge("request-duration", "30s", "m", n));
    expect(duration).toContain("judge: {latency: {quantile: 0.99}}");
  });

  it("suggests prometheus counts for an Argo success or error ratio, and nothing for other queries", () => {
    const ratio = {
      name: "error-rate",
      provider: { prometheus: { query: 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))' } },
    };
    expect(lines((n) => suggestArgoJudge(ratio, "spec.metrics[0]", n))).toHaveLength(1);
    const gauge = { name: "error-rate", provider: { prometheus: { query: "max(error_ratio)" } } };
    expect(lines((n) => suggestArgoJudge(gauge, "spec.metrics[0]", n))).toEqual([]);
    const cpu = { name: "cpu", provider: { prometheus: { query: "sum(a) / sum(b)" } } };
    expect(lines((n) => suggestArgoJudge(cpu, "spec.metrics[0]", n))).toEqual([]);
    expect(lines((n) => suggestArgoJudge({ name: "web", provider: { web: {} } }, "m", n))).toEqual([]);
  });
});
