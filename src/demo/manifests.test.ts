import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Release, type Rollout } from "../model/index.js";
import { loadText } from "../model/load.js";
import { applyRelease } from "../pipeline/apply-release.js";
import { pipelineChecks, stageRolloutChecks } from "../pipeline/lint-checks.js";
import {
  demoAnalysisTemplate,
  demoPipeline,
  demoWatchTemplate,
  environmentRollouts,
  FAST,
  integrationTemplate,
  NORMAL,
  releaseBody,
  V2_0,
  V2_1,
} from "./manifests.js";

function load(timing: typeof FAST) {
  const docs = [
    demoAnalysisTemplate(),
    demoWatchTemplate(),
    integrationTemplate(),
    ...environmentRollouts(timing),
    demoPipeline(timing, "http://127.0.0.1:8080"),
  ];
  return loadText(docs.map((d) => stringify(d)).join("---\n"), "demo manifests");
}

describe("the demo's manifests", () => {
  for (const [name, timing] of [
    ["fast", FAST],
    ["normal", NORMAL],
  ] as const)
    it(`load with no errors and pass the pipeline's lint checks (${name})`, () => {
      const { resources, errors } = load(timing);
      expect(errors.map(String)).toEqual([]);
      const pipeline = resources.find((r) => r.kind === "Pipeline");
      if (pipeline?.kind !== "Pipeline") throw new Error("no pipeline loaded");
      const rollouts = new Set(resources.filter((r) => r.kind === "Rollout").map((r) => r.metadata.name));
      expect(pipelineChecks(pipeline.spec)).toEqual([]);
      expect(stageRolloutChecks(pipeline.spec, (n) => rollouts.has(n))).toEqual([]);
      expect(pipeline.spec.stages.map((s) => [s.name, s.rollout])).toEqual([
        ["canary", "demo-canary"],
        ["staging", "demo-staging"],
        ["production", "demo-production"],
      ]);
    });

  it("gives each environment its own strategy: canary with analysis, canary, blue-green", () => {
    const rollouts = load(FAST).resources.filter((r): r is Rollout => r.kind === "Rollout");
    const strategy = (name: string) => rollouts.find((r) => r.metadata.name === name)?.spec.strategy;
    expect(strategy("demo-canary")?.canary?.analysis?.templates.map((t) => t.templateName)).toEqual(["demo-watch"]);
    expect(strategy("demo-staging")?.canary).toBeDefined();
    expect(strategy("demo-production")?.blueGreen).toBeDefined();
  });

  it("has releases that fit every stage's rollout and carry the version and features to the app", () => {
    const rollouts = load(FAST).resources.filter((r): r is Rollout => r.kind === "Rollout");
    for (const name of [V2_0, V2_1] as const) {
      const release = Release.parse({ apiVersion: "sluice.dev/v1alpha1", kind: "Release", ...releaseBody(name) });
      for (const rollout of rollouts) {
        const applied = applyRelease(rollout.spec, release);
        expect(applied.error).toBeUndefined();
        const env = Object.fromEntries((applied.spec?.template.process?.env ?? []).map((e) => [e.name, e.value]));
        expect(env.VERSION).toBe(name === V2_0 ? "2.0" : "2.1");
        expect(JSON.parse(env.FEATURES ?? "{}")).toEqual(release.spec.features);
        expect(env.ERROR_RATE).toBe(name === V2_1 ? "0.15" : undefined);
      }
    }
  });
});
