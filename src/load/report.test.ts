import { describe, expect, it } from "vitest";
import { formatReport, progressLine, statusTable } from "./report.js";
import { LoadResults } from "./results.js";

function report() {
  const results = new LoadResults();
  for (let i = 0; i < 90; i++) results.answered(200, 2 + (i % 10));
  for (let i = 0; i < 8; i++) results.answered(503, 50);
  results.failed("timeout", 1000);
  results.failed("connection refused", 0.4);
  return { results, elapsedMs: 2000, sent: 100, stopped: false };
}

describe("load report", () => {
  it("has a row per status code and per failure with its share", () => {
    expect(statusTable(report())).toEqual([
      "STATUS                REQUESTS   SHARE",
      "200                         90   90.0%",
      "503                          8    8.0%",
      "connection refused           1    1.0%",
      "timeout                      1    1.0%",
    ]);
  });

  it("prints the summary, a histogram whose counts add up, and quantiles", () => {
    const text = formatReport(report(), { rate: 50 });
    expect(text).toContain("Requests:     100 sent, 100 completed, 0 missed");
    expect(text).toContain("Rate:         50.0 req/s achieved, 50 asked");
    const counts = [...text.matchAll(/\[\s*(\d+)\]/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(text).toMatch(/p50 \d/);
  });

  it("draws a progress bar from the share issued", () => {
    expect(progressLine({ elapsedMs: 1500, issued: 50, completed: 49, errors: 1, total: 100 }, 10)).toBe(
      "█████░░░░░ 50%  49/100 done, 1 errors, 1.5s",
    );
    expect(progressLine({ elapsedMs: 0, issued: 0, completed: 0, errors: 0 })).toBe("0 done, 0 errors, 0.0s");
  });
});
