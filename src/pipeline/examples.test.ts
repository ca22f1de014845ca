import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { Pipeline, Release } from "../model/index.js";
import { loadText } from "../model/load.js";
import { applyRelease } from "./apply-release.js";
import { pipelineChecks, stageRolloutChecks } from "./lint-checks.js";

const dir = fileURLToPath(new URL("../../docs/examples/pipeline/", import.meta.url));
const docs = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(readFileSync(dir + f, "utf8")).map((d) => d.toJS() as { kind: string }));

// Parsed with the schemas directly, so the examples are checked whether or not the loader knows these kinds yet.
const pipelines = docs.filter((d) => d.kind === "Pipeline").map((d) => Pipeline.parse(d));
const releases = docs.filter((d) => d.kind === "Release").map((d) => Release.parse(d));
const others = loadText(
  docs
    .filter((d) => d.kind !== "Pipeline" && d.kind !== "Release")
    .map((d) => stringify(d))
    .join("---\n"),
  "pipeline examples",
);

describe("docs/examples/pipeline", () => {
  it("has a three-stage pipeline, a release, and resources that load with no errors", () => {
    expect(others.errors.map(String)).toEqual([]);
    expect(pipelines.map((p) => p.spec.stages.map((s) => s.name))).toEqual([["canary", "staging", "production"]]);
    expect(releases.map((r) => r.metadata.name)).toEqual(["shop-v2-0"]);
  });

  it("passes the pipeline lint checks, with every stage's rollout present", () => {
    const rollouts = new Set(others.resources.filter((r) => r.kind === "Rollout").map((r) => r.metadata.name));
    for (const p of pipelines) {
      expect(pipelineChecks(p.spec)).toEqual([]);
      expect(stageRolloutChecks(p.spec, (name) => rollouts.has(name))).toEqual([]);
    }
  });

  it("the release applies to every stage's rollout", () => {
    for (const r of others.resources)
      if (r.kind === "Rollout")
        for (const release of releases) {
          const out = applyRelease(r.spec, release);
          expect(out.error).toBeUndefined();
          expect(out.spec?.template.process?.env).toContainEqual({ name: "VERSION", value: "2.0" });
        }
  });
});
