import { describe, expect, it } from "vitest";
import type { AnalysisRun } from "../../model/index.js";
import { terminatedLine } from "./terminate.js";

const run = (phase?: string) => ({ status: phase ? { phase } : undefined }) as unknown as AnalysisRun;

describe("terminatedLine", () => {
  it.each([[undefined], ["Pending"], ["Running"]])("says a %s run is ending", (phase) => {
    expect(terminatedLine("r", run(phase))).toBe(
      'analysis run "r" terminating: it ends with the verdict its measurements give so far',
    );
  });
  it("says how a finished run ended", () => {
    expect(terminatedLine("r", run("Successful"))).toBe(
      'analysis run "r" already ended Successful; nothing to terminate',
    );
  });
});
