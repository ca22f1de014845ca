import { describe, expect, it } from "vitest";
import { LoadWarnings, loadNotGeneratedEvent, stepsWithLoad } from "./load-warning.js";

const spec = (steps: unknown) => ({ strategy: { canary: { steps } } });
const withLoad = spec([
  { setWeight: 20 },
  { analysis: { templates: [{ templateName: "t" }], load: { rate: 5, duration: "1m" } } },
]);

describe("load on Kubernetes", () => {
  it("names each step whose analysis asks for generated load", () => {
    expect(stepsWithLoad(withLoad)).toEqual([1]);
    expect(stepsWithLoad(spec([{ analysis: { templates: [] } }]))).toEqual([]);
    expect(stepsWithLoad({ strategy: { blueGreen: {} } })).toEqual([]);
    expect(stepsWithLoad(spec([null, "x", 3]))).toEqual([]);
    expect(stepsWithLoad(undefined)).toEqual([]);
  });

  it("warns in one line naming the field and what to do", () => {
    const event = loadNotGeneratedEvent(withLoad);
    expect(event).toMatchObject({ type: "Warning", reason: "LoadNotGenerated" });
    expect(event?.message).toMatch(
      /^spec\.strategy\.canary\.steps\[1\]\.analysis\.load: generated load is sent on the local platform only/,
    );
    expect(event?.message).not.toContain("\n");
  });

  it("warns once per generation, and again after a change that still asks for load", () => {
    const warnings = new LoadWarnings();
    expect(warnings.next("ns/web", 1, withLoad)).toBeDefined();
    expect(warnings.next("ns/web", 1, withLoad)).toBeUndefined();
    expect(warnings.next("ns/web", 2, withLoad)).toBeDefined();
    expect(warnings.next("ns/web", 3, spec([]))).toBeUndefined();
    expect(warnings.next("ns/other", 1, withLoad)).toBeDefined();
  });
});
