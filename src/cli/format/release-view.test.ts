import { describe, expect, it } from "vitest";
import { Pipeline, Release } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { describeRelease, rejection, releaseChanges, renderReleases, runningIn } from "./release-view.js";

const now = new Date("2026-12-04T08:00:00Z");

const release = (name: string, spec: Record<string, unknown>, created = "2026-12-04T07:58:00Z") =>
  Release.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Release",
    metadata: { name, creationTimestamp: created, annotations: { "sluice.dev/created-by": "ci-bot" } },
    spec: { pipeline: "shop", ...spec },
  });

const shop = Pipeline.parse({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Pipeline",
  metadata: { name: "shop" },
  spec: {
    stages: [
      { name: "canary", rollout: "a" },
      { name: "prod", rollout: "b" },
    ],
  },
  status: {
    observedGeneration: 0,
    stages: [
      { stage: "canary", release: "v2", state: "Healthy", message: "", gates: [] },
      { stage: "prod", release: "v1", candidate: "v2", state: "Waiting", message: "", gates: [] },
    ],
  },
});

const entry = (over: Partial<RecordedEntry>): RecordedEntry => ({
  time: "2026-12-04T08:00:00.000Z",
  pipeline: "shop",
  release: "v2",
  type: "Promoted",
  actor: "sluice",
  reason: "",
  seq: 1,
  ...over,
});

describe("releaseChanges", () => {
  it("summarises what the release changes, shortened to one cell", () => {
    const r = release("v2", { image: "shop:2.0", env: [{ name: "VERSION", value: "2.0" }], features: { a: true } });
    expect(releaseChanges(r.spec)).toBe("image shop:2.0, env VERSION=2.0, 1 feature");
    const long = release("v3", { command: "node", args: ["x".repeat(100)] });
    expect(releaseChanges(long.spec)).toHaveLength(60);
    expect(releaseChanges(long.spec).endsWith("…")).toBe(true);
  });
});

describe("renderReleases", () => {
  it("lists releases oldest first with where each runs and who created it", () => {
    const text = renderReleases(
      [
        release("v2", { env: [{ name: "V", value: "2" }] }),
        release("v1", { env: [{ name: "V", value: "1" }] }, "2026-12-04T07:00:00Z"),
      ],
      [shop],
      now,
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+PIPELINE\s+CHANGES\s+RUNNING IN\s+CREATED BY\s+AGE$/);
    expect(lines[1]).toMatch(/^v1\s+shop\s+env V=1\s+prod\s+ci-bot\s+60m$/);
    expect(lines[2]).toMatch(/^v2\s+shop\s+env V=2\s+canary\s+ci-bot\s+2m$/);
    expect(runningIn("v3", shop)).toEqual([]);
    expect(renderReleases([], [], now)).toBe("No resources found.");
  });
});

describe("describeRelease", () => {
  it("shows the spec, creator, source, where it runs, its rejection and its record", () => {
    const r = release("v2", {
      env: [{ name: "VERSION", value: "2.0" }],
      features: { "new-api": true },
      source: { commit: "4f2c9a1", buildUrl: "https://ci.example.com/b/812" },
    });
    const record = [
      entry({ stage: "canary", type: "Healthy", reason: "a is Healthy on v2", seq: 3 }),
      entry({ type: "Rejected", actor: "bob", actorRoles: ["operator"], reason: "bad build", seq: 4 }),
    ];
    const text = describeRelease(r, record, shop);
    expect(text).toContain("Created by:  ci-bot");
    expect(text).toContain("Created:     2026-12-04T07:58:00Z");
    expect(text).toContain("Commit:      4f2c9a1");
    expect(text).toContain("Build:       https://ci.example.com/b/812");
    expect(text).toContain("  VERSION=2.0");
    expect(text).toContain('Features:    {"new-api":true} (in $SLUICE_FEATURES)');
    expect(text).toContain("Running in:  canary");
    expect(text).toContain("Rejected:    by bob at 2026-12-04T08:00:00.000Z: bad build");
    expect(text).toMatch(/Record:\n {2}TIME.*\n {2}.*canary\s+Healthy/);
  });

  it("reads a rejection that was lifted as not rejected", () => {
    const lifted = [entry({ type: "Rejected", seq: 1 }), entry({ type: "Unrejected", seq: 2 })];
    expect(rejection(lifted)).toBeUndefined();
    expect(rejection([...lifted, entry({ type: "Rejected", seq: 3 })])?.seq).toBe(3);
  });
});
