import { describe, expect, it } from "vitest";
import { Pipeline } from "../../model/index.js";
import type { StageView } from "../../pipeline/types.js";
import { countdown, gateSummary, renderPipelines, renderPipelineView, waitingLine } from "./pipeline-view.js";

const now = new Date("2026-12-04T08:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms).toISOString();

function pipeline(stages: StageView[] | undefined, extra: Record<string, unknown> = {}) {
  return Pipeline.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: "shop", generation: 1, creationTimestamp: later(-5 * 60_000) },
    spec: {
      stages: [
        { name: "canary", rollout: "shop-canary" },
        { name: "prod", rollout: "shop-prod", soak: "10m", approval: { from: { roles: ["approver"] } } },
      ],
    },
    ...(stages ? { status: { observedGeneration: 1, stages, ...extra } } : {}),
  });
}

const waitingProd: StageView = {
  stage: "prod",
  release: "v1",
  desired: "v1",
  candidate: "v2",
  state: "Waiting",
  message: "v2 waits for approval: needs 1 approval from role approver",
  gates: [
    { gate: "soak", state: "Passed", message: "soaked" },
    {
      gate: "approval",
      state: "Waiting",
      message: "needs 1 approval from role approver",
      until: later(24 * 3_600_000 - 60_000),
    },
  ],
};
const healthyCanary: StageView = {
  stage: "canary",
  release: "v2",
  desired: "v2",
  state: "Healthy",
  message: "v2 is Healthy",
  gates: [],
};

describe("countdown", () => {
  it("counts down in the largest two units, and says now once passed", () => {
    expect(countdown(later(45_000), now)).toBe("45s");
    expect(countdown(later(4 * 60_000 + 2_000), now)).toBe("4m02s");
    expect(countdown(later(24 * 3_600_000 - 60_000), now)).toBe("23h59m");
    expect(countdown(later(51 * 3_600_000), now)).toBe("2d3h");
    expect(countdown(later(0), now)).toBe("now");
    expect(countdown(later(-5_000), now)).toBe("now");
    expect(countdown("not a time", now)).toBe("?");
  });
});

describe("gate and waiting lines", () => {
  it("names what each gate's until means", () => {
    const g = (gate: "soak" | "window" | "approval") => ({
      gate,
      state: "Waiting" as const,
      message: "",
      until: later(90_000),
    });
    expect(gateSummary(g("soak"), now)).toBe("soak waiting (done in 1m30s)");
    expect(gateSummary(g("window"), now)).toBe("window waiting (opens in 1m30s)");
    expect(gateSummary(g("approval"), now)).toBe("approval waiting (expires in 1m30s)");
    expect(gateSummary({ gate: "soak", state: "Passed", message: "soaked", until: later(1) }, now)).toBe("soak passed");
  });

  it("says which gate a waiting stage is held at, with its countdown", () => {
    expect(waitingLine(waitingProd, now)).toBe("waiting for approval in prod (expires in 23h59m)");
    expect(waitingLine(healthyCanary, now)).toBeUndefined();
  });
});

describe("renderPipelines", () => {
  it("puts each stage's release and state on the pipeline's line", () => {
    const text = renderPipelines([pipeline([healthyCanary, waitingProd])], now);
    expect(text.split("\n")[0]).toMatch(/^NAME\s+STAGES\s+STATE\s+AGE$/);
    expect(text).toMatch(/shop\s+2\s+canary=v2 Healthy {2}prod=v1 Waiting\(v2: approval\)\s+5m$/m);
  });

  it("says when the controller has not planned a pipeline, and when there is none", () => {
    expect(renderPipelines([pipeline(undefined)], now)).toContain("not planned yet");
    expect(renderPipelines([], now)).toBe("No resources found.");
  });
});

describe("renderPipelineView", () => {
  it("shows the stages side by side with each gate's countdown, then what each stage does", () => {
    const text = renderPipelineView(pipeline([healthyCanary, waitingProd], { message: "stage prod: bad" }), now);
    const lines = text.split("\n");
    expect(lines[0]).toBe("Pipeline: shop   stages: 2   onFailure: leave");
    const header = lines.find((l) => l.startsWith("STAGE"));
    expect(header).toMatch(/^STAGE\s+ROLLOUT\s+RELEASE\s+DESIRED\s+CANDIDATE\s+STATE\s+GATES$/);
    expect(text).toMatch(/canary\s+shop-canary\s+v2\s+v2\s+-\s+Healthy\s+-/);
    expect(text).toMatch(
      /prod\s+shop-prod\s+v1\s+v1\s+v2\s+Waiting\s+soak passed, approval waiting \(expires in 23h59m\)/,
    );
    expect(text).toContain(
      "prod: waiting for approval in prod (expires in 23h59m) — needs 1 approval from role approver",
    );
    expect(text).toContain("canary: v2 is Healthy");
    expect(text).toContain("Message: stage prod: bad");
    expect(text).not.toContain("\u001b[");
  });

  it("shows each stage's cluster when a stage runs in a registered target", () => {
    const multi = pipeline([healthyCanary, waitingProd]);
    const withCluster = {
      ...multi,
      spec: { ...multi.spec, stages: multi.spec.stages.map((s, i) => (i === 1 ? { ...s, cluster: "prod-eu" } : s)) },
    };
    const text = renderPipelineView(withCluster, now);
    expect(text).toMatch(/^STAGE\s+CLUSTER\s+ROLLOUT\s+RELEASE/m);
    expect(text).toMatch(/canary\s+\(hub\)\s+shop-canary/);
    expect(text).toMatch(/prod\s+prod-eu\s+shop-prod\s+v1/);
    expect(renderPipelineView(multi, now)).not.toContain("CLUSTER");
  });

  it("shows an unreachable stage's last known state and how old it is", () => {
    const unreachable: StageView = {
      stage: "prod",
      release: "v1",
      desired: "v1",
      state: "Unreachable",
      message: "cluster prod-eu unreachable (ECONNREFUSED); last known: Healthy on v1",
      gates: [],
      unreachable: { cluster: "prod-eu", reason: "ECONNREFUSED", lastContact: later(-95_000) },
    };
    const text = renderPipelineView(pipeline([healthyCanary, unreachable]), now);
    expect(text).toMatch(/prod\s+shop-prod\s+v1\s+v1\s+-\s+Unreachable/);
    expect(text).toContain(
      "prod: cluster prod-eu unreachable (ECONNREFUSED); last known: Healthy on v1 (last contact 95s ago)",
    );
    expect(renderPipelines([pipeline([healthyCanary, unreachable])], now)).toContain("prod=v1 Unreachable");
  });

  it("colours states only when asked (a terminal)", () => {
    expect(renderPipelineView(pipeline([healthyCanary, waitingProd]), now, true)).toContain("\u001b[");
  });

  it("says when there is no status yet, or it predates the spec", () => {
    expect(renderPipelineView(pipeline(undefined), now)).toContain("not planned yet");
    const stale = { ...pipeline([healthyCanary]), metadata: { name: "shop", generation: 2 } };
    expect(renderPipelineView(stale, now)).toContain("predates the latest change");
  });
});
