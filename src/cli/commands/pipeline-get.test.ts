import { describe, expect, it } from "vitest";
import { captureOutput, fakeApi } from "../testing.js";
import { describeReleaseCommand, getPipelineKindCommand } from "./pipeline-get.js";

const release = (name: string, pipeline: string) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Release",
  metadata: { name, creationTimestamp: "2026-12-04T08:00:00Z", annotations: { "sluice.dev/created-by": "ci" } },
  spec: { pipeline, env: [{ name: "VERSION", value: name }], featuresEnv: "SLUICE_FEATURES" },
});
const shop = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Pipeline",
  metadata: { name: "shop" },
  spec: { stages: [{ name: "prod", rollout: "shop-prod" }], onFailure: "leave" },
  status: {
    observedGeneration: 0,
    stages: [{ stage: "prod", release: "v2", state: "Healthy", message: "", gates: [] }],
  },
};

describe("getPipelineKindCommand", () => {
  it("lists only the named pipeline's releases with --pipeline, in a table and in JSON", async () => {
    const { api } = fakeApi({
      "GET /releases": { body: [release("v2", "shop"), release("x1", "other")] },
      "GET /pipelines": { body: [shop] },
    });
    const table = captureOutput();
    await getPipelineKindCommand(api, "Release", undefined, { output: "table", pipeline: "shop" }, table);
    expect(table.stdout[0]).toMatch(/\nv2\s+shop\s+env VERSION=v2\s+prod\s+ci/);
    expect(table.stdout[0]).not.toContain("x1");
    const json = captureOutput();
    await getPipelineKindCommand(api, "Release", undefined, { output: "json", pipeline: "shop" }, json);
    expect(JSON.parse(json.stdout[0] ?? "").map((r: { metadata: { name: string } }) => r.metadata.name)).toEqual([
      "v2",
    ]);
    const none = captureOutput();
    await getPipelineKindCommand(api, "Release", undefined, { output: "table", pipeline: "nope" }, none);
    expect(none.stdout).toEqual(["No releases of pipeline nope."]);
  });

  it("shows one pipeline's stages", async () => {
    const { api } = fakeApi({ "GET /pipelines/shop": { body: shop } });
    const out = captureOutput();
    await getPipelineKindCommand(api, "Pipeline", "shop", { output: "table" }, out);
    expect(out.stdout[0]).toMatch(/prod\s+shop-prod\s+v2\s+-\s+-\s+Healthy/);
  });
});

describe("describeReleaseCommand", () => {
  it("reads the release's own record entries from its pipeline", async () => {
    const { api, sent } = fakeApi({
      "GET /releases/v2": { body: release("v2", "shop") },
      "GET /pipelines/shop": { body: shop },
      "GET /pipelines/shop/record?release=v2": {
        body: [
          {
            time: "2026-12-04T08:01:00Z",
            pipeline: "shop",
            release: "v2",
            stage: "prod",
            type: "Healthy",
            actor: "sluice",
            reason: "shop-prod is Healthy on v2",
            seq: 4,
          },
        ],
      },
    });
    const out = captureOutput();
    await describeReleaseCommand(api, "v2", out);
    expect(sent.map((r) => r.path)).toContain("/pipelines/shop/record?release=v2");
    expect(out.stdout[0]).toContain("Running in:  prod");
    expect(out.stdout[0]).toMatch(/prod\s+Healthy\s+sluice\s+shop-prod is Healthy on v2/);
  });

  it("still describes a release whose pipeline is gone", async () => {
    const { api } = fakeApi({ "GET /releases/v2": { body: release("v2", "gone") } });
    const out = captureOutput();
    await describeReleaseCommand(api, "v2", out);
    expect(out.stdout[0]).toContain("Running in:  no stage");
    expect(out.stdout[0]).toContain("No entries in the record yet.");
  });
});
