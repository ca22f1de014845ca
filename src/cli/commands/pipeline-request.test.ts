import { describe, expect, it } from "vitest";
import { ApiClientError } from "../../api/client.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { captureOutput, fakeApi } from "../testing.js";
import { releaseRequestCommand, stageRequestCommand, waitingRelease } from "./pipeline-request.js";

const approved: RecordedEntry = {
  time: "2026-12-04T08:00:00.000Z",
  pipeline: "shop",
  release: "v2",
  stage: "prod",
  type: "Approved",
  actor: "alice",
  actorRoles: ["approver"],
  reason: "looks good",
  seq: 7,
};

describe("stageRequestCommand", () => {
  it("posts stage, release and reason, and prints the entry with its actor", async () => {
    const { api, sent } = fakeApi({ "POST /pipelines/shop/approve": { status: 201, body: approved } });
    const out = captureOutput();
    await stageRequestCommand(api, "approve", "shop", "prod", "v2", { reason: "looks good" }, out);
    expect(sent[0]?.body).toEqual({ stage: "prod", release: "v2", reason: "looks good" });
    expect(out.stdout).toEqual([
      'recorded #7 Approved: release v2 in prod of pipeline shop, by alice (approver) at 2026-12-04T08:00:00.000Z: "looks good"',
    ]);
  });

  it("prints the entry as JSON with -o json", async () => {
    const { api } = fakeApi({ "POST /pipelines/shop/retry": { status: 201, body: { ...approved, type: "Retried" } } });
    const out = captureOutput();
    await stageRequestCommand(api, "retry", "shop", "prod", "v2", { reason: "flaky", output: "json" }, out);
    expect(JSON.parse(out.stdout[0] ?? "")).toMatchObject({ type: "Retried", actor: "alice", seq: 7 });
  });

  it("passes on the API's refusal: the role needed (403), or a conflict (409)", async () => {
    const message = 'API token "viewer" has role viewer; POST /api/v1/pipelines/shop/approve needs role approver';
    const { api } = fakeApi({
      "POST /pipelines/shop/approve": { status: 403, body: { error: { code: "Forbidden", message } } },
      "POST /pipelines/shop/promote": {
        status: 409,
        body: { error: { code: "Conflict", message: "cannot promote v3 into prod: release v3 is rejected" } },
      },
    });
    const out = captureOutput();
    const refused = stageRequestCommand(api, "approve", "shop", "prod", "v2", { reason: "x" }, out);
    await expect(refused).rejects.toThrow(message);
    await expect(refused).rejects.toBeInstanceOf(ApiClientError);
    await expect(stageRequestCommand(api, "promote", "shop", "prod", "v3", { reason: "x" }, out)).rejects.toThrow(
      /release v3 is rejected/,
    );
    expect(out.stdout).toEqual([]);
  });
});

describe("releaseRequestCommand", () => {
  it("posts the reason to the release's verb", async () => {
    const entry = { ...approved, stage: undefined, type: "Rejected", actor: "bob", actorRoles: ["operator"] };
    const { api, sent } = fakeApi({ "POST /releases/v2/reject": { status: 201, body: entry } });
    const out = captureOutput();
    await releaseRequestCommand(api, "reject", "v2", { reason: "bad build" }, out);
    expect(sent[0]?.body).toEqual({ reason: "bad build" });
    expect(out.stdout[0]).toMatch(/^recorded #7 Rejected: release v2 of pipeline shop, by bob \(operator\)/);
  });
});

describe("waitingRelease", () => {
  const pipeline = (stages: unknown[]) => ({
    metadata: { name: "shop" },
    spec: { stages: [{ name: "prod", rollout: "p" }] },
    status: { observedGeneration: 0, stages },
  });

  it("is the release waiting at the stage's approval gate", async () => {
    const gates = [{ gate: "approval", state: "Waiting", message: "" }];
    const { api } = fakeApi({
      "GET /pipelines/shop": { body: pipeline([{ stage: "prod", candidate: "v2", state: "Waiting", gates }]) },
    });
    expect(await waitingRelease(api, "shop", "prod")).toBe("v2");
  });

  it("asks for --release when none waits, and names the stages of an unknown one", async () => {
    const { api } = fakeApi({
      "GET /pipelines/shop": { body: pipeline([{ stage: "prod", state: "Healthy", gates: [] }]) },
    });
    await expect(waitingRelease(api, "shop", "prod")).rejects.toThrow(
      "no release waits for approval in prod of pipeline shop; name one with --release",
    );
    await expect(waitingRelease(api, "shop", "qa")).rejects.toThrow(
      'pipeline shop has no stage "qa"; its stages are prod',
    );
  });
});
