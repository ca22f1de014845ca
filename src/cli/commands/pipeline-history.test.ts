import { describe, expect, it } from "vitest";
import { captureOutput, fakeApi } from "../testing.js";
import { pipelineHistoryCommand, recordPath } from "./pipeline-history.js";

const entries = [
  {
    time: "2026-12-04T08:00:00.000Z",
    pipeline: "shop",
    release: "v 2",
    stage: "prod",
    type: "Approved",
    actor: "alice",
    actorRoles: ["approver"],
    reason: "ok",
    seq: 1,
  },
];

describe("pipelineHistoryCommand", () => {
  it("reads the record (narrowed to a release, escaped) and prints a line per entry", async () => {
    expect(recordPath("shop")).toBe("/pipelines/shop/record");
    const { api, sent } = fakeApi({ "GET /pipelines/shop/record?release=v%202": { body: entries } });
    const out = captureOutput();
    await pipelineHistoryCommand(api, "shop", { release: "v 2", output: "table" }, out);
    expect(sent[0]?.path).toBe("/pipelines/shop/record?release=v%202");
    expect(out.stdout[0]).toMatch(/^TIME\s+RELEASE\s+STAGE\s+TYPE\s+ACTOR\s+REASON\n/);
    expect(out.stdout[0]).toMatch(/v 2\s+prod\s+Approved\s+alice \(approver\)\s+ok/);
  });

  it("prints the entries as stored with -o json", async () => {
    const { api } = fakeApi({ "GET /pipelines/shop/record": { body: entries } });
    const out = captureOutput();
    await pipelineHistoryCommand(api, "shop", { output: "json" }, out);
    expect(JSON.parse(out.stdout[0] ?? "")).toEqual(entries);
  });
});
