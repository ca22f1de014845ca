import { describe, expect, it } from "vitest";
import { CanaryStep } from "../model/index.js";
import { canaryScaleAt, describeStep, routesAt, stepLabel, weightAt } from "./steps.js";

const steps = [
  { setWeight: 10 },
  { setCanaryScale: { replicas: 3 } },
  { pause: { duration: "30s" } },
  { setWeight: 40 },
  { setCanaryScale: { matchTrafficWeight: true } },
  { analysis: { templates: [{ templateName: "a" }, { templateName: "b" }] } },
].map((s) => CanaryStep.parse(s));

describe("weightAt", () => {
  it.each([
    { index: 0, weight: 10 },
    { index: 2, weight: 10 },
    { index: 3, weight: 40 },
    { index: 5, weight: 40 },
    { index: 6, weight: 40 },
  ])("at step index $index is $weight", ({ index, weight }) => {
    expect(weightAt(steps, index)).toBe(weight);
  });

  it("is 0 before any setWeight", () => {
    expect(weightAt([CanaryStep.parse({ pause: {} })], 0)).toBe(0);
  });
});

describe("canaryScaleAt", () => {
  it.each([
    { index: 0, scale: undefined },
    { index: 1, scale: { replicas: 3 } },
    { index: 3, scale: { replicas: 3 } },
    { index: 4, scale: undefined },
  ])("at step index $index", ({ index, scale }) => {
    expect(canaryScaleAt(steps, index)).toEqual(scale);
  });
});

describe("routesAt", () => {
  const match = [{ headerName: "x-user", headerValue: { prefix: "beta" } }];
  const routeSteps = [
    { setHeaderRoute: { name: "h1", match } },
    { setMirrorRoute: { name: "m1", match } },
    { setHeaderRoute: { name: "h1" } },
    { setMirrorRoute: { name: "m1", match, percentage: 5 } },
  ].map((s) => CanaryStep.parse(s));

  it.each([
    { index: 0, header: ["h1"], mirror: [] },
    { index: 1, header: ["h1"], mirror: [[100, "m1"]] },
    { index: 2, header: [], mirror: [[100, "m1"]] },
    { index: 3, header: [], mirror: [[5, "m1"]] },
  ])("at step index $index", ({ index, header, mirror }) => {
    const routes = routesAt(routeSteps, index, "abc");
    expect(routes.headerRoutes.map((r) => r.name)).toEqual(header);
    expect(routes.mirrorRoutes.map((r) => [r.percentage, r.name])).toEqual(mirror);
    for (const r of [...routes.headerRoutes, ...routes.mirrorRoutes]) expect(r.revision).toBe("abc");
  });
});

describe("describeStep", () => {
  it.each([
    [{ setWeight: 25 }, "setWeight 25%"],
    [{ pause: {} }, "pause until promoted"],
    [{ pause: { duration: "1m" } }, "pause 1m"],
    [{ pause: { duration: 30 } }, "pause 30s"],
    [{ analysis: { templates: [{ templateName: "a" }, { templateName: "b" }] } }, "analysis a, b"],
    [{ setCanaryScale: { replicas: 2 } }, "setCanaryScale 2 replicas"],
    [{ setCanaryScale: { weight: 30 } }, "setCanaryScale 30%"],
    [{ setCanaryScale: { matchTrafficWeight: true } }, "setCanaryScale matchTrafficWeight"],
    [{ setHeaderRoute: { name: "h" } }, "setHeaderRoute h"],
    [{ setMirrorRoute: { name: "m" } }, "setMirrorRoute m 100%"],
    [{ setMirrorRoute: { name: "m", percentage: 20 } }, "setMirrorRoute m 20%"],
  ])("%j -> %s", (step, text) => {
    expect(describeStep(CanaryStep.parse(step))).toBe(text);
  });

  it("stepLabel numbers from 1", () => {
    expect(stepLabel(steps, 3)).toBe("step 4/6 (setWeight 40%)");
  });
});
