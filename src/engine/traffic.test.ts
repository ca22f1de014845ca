import { describe, expect, it } from "vitest";
import { Rollout, RolloutStatus } from "../model/index.js";
import { rolloutManifest } from "./testing.js";
import { buildTraffic } from "./traffic.js";

const match = [{ headerName: "x-canary", headerValue: { exact: "yes" } }];
const spec = Rollout.parse(
  rolloutManifest({
    strategy: { canary: { steps: [{ setWeight: 20 }, { setHeaderRoute: { name: "h", match } }, { pause: {} }] } },
  }),
).spec;
const bgSpec = Rollout.parse(rolloutManifest({ strategy: { blueGreen: {} } })).spec;

const status = (over: Record<string, unknown>) =>
  RolloutStatus.parse({
    stableRevision: "s",
    currentRevision: "c",
    currentStepIndex: 2,
    revisions: [
      { hash: "s", number: 1, role: "stable", replicas: 4, weight: 80 },
      { hash: "c", number: 2, role: "canary", replicas: 1, weight: 20 },
    ],
    ...over,
  });

describe("buildTraffic", () => {
  it.each([
    { name: "mid canary", over: {}, weights: { s: 80, c: 20 }, headers: ["h"] },
    { name: "before the header step", over: { currentStepIndex: 0 }, weights: { s: 80, c: 20 }, headers: [] },
    { name: "aborted", over: { abort: true }, weights: { s: 80, c: 20 }, headers: [] },
    { name: "promote --full", over: { promoteFull: true }, weights: { s: 80, c: 20 }, headers: [] },
    { name: "steps done", over: { currentStepIndex: 3 }, weights: { s: 80, c: 20 }, headers: [] },
    {
      name: "weights not summing to 100 are fixed on stable",
      over: {
        revisions: [
          { hash: "s", number: 1, role: "stable", replicas: 4, weight: 0 },
          { hash: "c", number: 2, role: "canary", replicas: 1, weight: 0 },
        ],
      },
      weights: { s: 100, c: 0 },
      headers: ["h"],
    },
  ])("$name", ({ over, weights, headers }) => {
    const t = buildTraffic(spec, status(over));
    expect(t.weights).toEqual(weights);
    expect(t.headerRoutes.map((r) => r.name)).toEqual(headers);
    expect(t.preview).toBeUndefined();
  });

  it("blue-green names the preview revision, or stable when nothing is rolling out", () => {
    const rolling = RolloutStatus.parse({
      stableRevision: "s",
      currentRevision: "p",
      revisions: [
        { hash: "s", number: 1, role: "stable", replicas: 4, weight: 100 },
        { hash: "p", number: 2, role: "preview", replicas: 4, weight: 0 },
      ],
    });
    expect(buildTraffic(bgSpec, rolling).preview).toBe("p");
    const done = RolloutStatus.parse({
      stableRevision: "p",
      revisions: [{ hash: "p", number: 2, role: "stable", replicas: 4, weight: 100 }],
    });
    expect(buildTraffic(bgSpec, done)).toEqual({
      weights: { p: 100 },
      headerRoutes: [],
      mirrorRoutes: [],
      preview: "p",
    });
  });
});
