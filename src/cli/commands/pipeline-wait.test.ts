import { describe, expect, it } from "vitest";
import { Pipeline } from "../../model/index.js";
import type { StageView } from "../../pipeline/types.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { captureOutput, fakeApi } from "../testing.js";
import { pipelineWaitCommand, WAIT_EXIT, waitingOn, waitOutcome } from "./pipeline-wait.js";

let seq = 0;
const entry = (type: RecordedEntry["type"], stage?: string): RecordedEntry => ({
  time: "2026-12-04T08:00:00.000Z",
  pipeline: "shop",
  release: "v2",
  ...(stage ? { stage } : {}),
  type,
  actor: "sluice",
  reason: `${type} reason`,
  seq: ++seq,
});

describe("waitOutcome", () => {
  it("is Healthy once the record shows the release Healthy in the stage", () => {
    expect(waitOutcome([entry("Promoted", "prod"), entry("Entered", "prod")], "prod")).toBeUndefined();
    expect(waitOutcome([entry("Healthy", "canary")], "prod")).toBeUndefined();
    expect(waitOutcome([entry("Healthy", "canary"), entry("Healthy", "prod")], "prod")?.done).toBe("healthy");
  });

  it("is rejected by a rejection anywhere or a failure in the stage, until a person un-rejects", () => {
    expect(waitOutcome([entry("Failed", "prod")], "prod")?.done).toBe("rejected");
    expect(waitOutcome([entry("Failed", "canary")], "prod")).toBeUndefined();
    const rejected = entry("Rejected", "canary");
    expect(waitOutcome([entry("Failed", "canary"), rejected], "prod")).toEqual({ done: "rejected", entry: rejected });
    expect(waitOutcome([entry("Healthy", "prod"), entry("Rejected")], "prod")?.done).toBe("rejected");
    expect(waitOutcome([entry("Rejected"), entry("Unrejected")], "prod")).toBeUndefined();
    expect(waitOutcome([entry("Rejected"), entry("Unrejected"), entry("Healthy", "prod")], "prod")?.done).toBe(
      "healthy",
    );
  });
});

const now = new Date("2026-12-04T08:00:00Z");
function shop(stages: StageView[] | undefined) {
  return Pipeline.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: "shop" },
    spec: {
      stages: [
        { name: "canary", rollout: "shop-canary" },
        { name: "prod", rollout: "shop-prod" },
      ],
    },
    ...(stages ? { status: { observedGeneration: 0, stages } } : {}),
  });
}
const view = (over: Partial<StageView> & { stage: string }): StageView => ({
  state: "Healthy",
  message: "",
  gates: [],
  ...over,
});
const approvalWait = view({
  stage: "prod",
  candidate: "v2",
  state: "Waiting",
  gates: [{ gate: "approval", state: "Waiting", message: "", until: "2026-12-05T07:59:00Z" }],
});

describe("waitingOn", () => {
  it("names the gate the release waits at, with its countdown kept out of the key", () => {
    const w = waitingOn(shop([view({ stage: "canary", release: "v2" }), approvalWait]), "prod", "v2", now);
    expect(w.text).toBe("waiting for approval in prod (expires in 23h59m)");
    expect(w.key).toBe("waiting for approval in prod");
  });

  it("says when the stage's rollout is rolling the release out", () => {
    const p = shop([
      view({ stage: "canary" }),
      view({ stage: "prod", release: "v1", desired: "v2", state: "Promoting" }),
    ]);
    expect(waitingOn(p, "prod", "v2", now).text).toBe("waiting for shop-prod to roll out v2 in prod");
  });

  it("says where the release is held on its way to the stage", () => {
    const p = shop([
      view({ stage: "canary", release: "v1", desired: "v2", state: "Promoting" }),
      view({ stage: "prod" }),
    ]);
    expect(waitingOn(p, "prod", "v2", now).text).toBe(
      "waiting for v2 to pass canary: waiting for shop-canary to roll out v2 in canary",
    );
    expect(waitingOn(shop([view({ stage: "canary" }), view({ stage: "prod" })]), "prod", "v2", now).text).toBe(
      "waiting for v2 to reach prod",
    );
    expect(waitingOn(shop(undefined), "prod", "v2", now).text).toBe("waiting for the controller to plan pipeline shop");
  });
});

describe("pipelineWaitCommand", () => {
  const release = { metadata: { name: "v2" }, spec: { pipeline: "shop" } };

  it("exits 0 at once when the record already shows the release Healthy in the stage", async () => {
    const { api } = fakeApi({
      "GET /pipelines/shop": { body: shop([approvalWait]) },
      "GET /releases/v2": { body: release },
      "GET /pipelines/shop/record?release=v2": { body: [entry("Healthy", "prod")] },
    });
    const out = captureOutput();
    expect(await pipelineWaitCommand(api, "shop", { release: "v2", stage: "prod" }, out)).toBe(WAIT_EXIT.healthy);
    expect(out.stdout[0]).toMatch(/^v2 is Healthy in prod \(recorded #\d+ at /);
  });

  it("exits 1 when the release is rejected, saying by whom and why", async () => {
    const { api } = fakeApi({
      "GET /pipelines/shop": { body: shop([approvalWait]) },
      "GET /releases/v2": { body: release },
      "GET /pipelines/shop/record?release=v2": { body: [entry("Rejected")] },
    });
    const out = captureOutput();
    expect(await pipelineWaitCommand(api, "shop", { release: "v2", stage: "prod" }, out)).toBe(WAIT_EXIT.rejected);
    expect(out.stdout[0]).toMatch(/^v2 was rejected \(recorded #\d+ at .* by sluice\): Rejected reason$/);
  });

  it("refuses a stage the pipeline does not have and a release of another pipeline", async () => {
    const { api } = fakeApi({
      "GET /pipelines/shop": { body: shop([]) },
      "GET /releases/v2": { body: { metadata: { name: "v2" }, spec: { pipeline: "other" } } },
    });
    const out = captureOutput();
    await expect(pipelineWaitCommand(api, "shop", { release: "v2", stage: "qa" }, out)).rejects.toThrow(
      'pipeline shop has no stage "qa"; its stages are canary, prod',
    );
    await expect(pipelineWaitCommand(api, "shop", { release: "v2", stage: "prod" }, out)).rejects.toThrow(
      "release v2 belongs to pipeline other, not shop",
    );
  });
});
