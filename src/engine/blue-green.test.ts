import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const pre = { templates: [{ templateName: "smoke" }] };
const post = { templates: [{ templateName: "error-rate" }] };

function blueGreen(bg: Record<string, unknown>) {
  const h = new EngineHarness(rolloutManifest({ strategy: { blueGreen: bg } }));
  h.settle();
  return h;
}
const v2 = (h: EngineHarness) => h.update((s) => setVersion(s, "v2"));
const activeOf = (h: EngineHarness) => Object.entries(h.traffic?.weights ?? {}).find(([, w]) => w === 100)?.[0];

describe("blue-green", () => {
  it("with no gates: preview comes up, takes all traffic at once, the old one goes after the delay", () => {
    const h = blueGreen({ scaleDownDelaySeconds: 20 });
    expect(h.traffic?.preview).toBe(h.hash(1));
    v2(h);
    expect(h.status.phase).toBe("Healthy");
    expect(activeOf(h)).toBe(h.hash(2));
    expect(h.traffic?.preview).toBe(h.hash(2));
    expect(h.replicas(1)).toBe(4);
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:00:20.000Z");
    h.wake();
    expect(h.platform.has(h.hash(1))).toBe(false);
    expect(h.reasons().slice(2)).toEqual([
      "RolloutStarted",
      "PreviewReady",
      "Promoted",
      "RolloutCompleted",
      "ScaledDown",
    ]);
  });

  it("previewReplicaCount sizes the preview; it is scaled to full size before the switch", () => {
    const h = blueGreen({ previewReplicaCount: 1, autoPromotionEnabled: false });
    v2(h);
    expect(h.replicas(2)).toBe(1);
    expect(activeOf(h)).toBe(h.hash(1));
    h.readyCap[h.hash(2)] = 1;
    h.command({ type: "promote" });
    expect(h.replicas(2)).toBe(4);
    expect(activeOf(h)).toBe(h.hash(1));
    expect(h.status.message).toContain("before the switch");
    h.setReadyCap(h.hash(2), undefined);
    expect(activeOf(h)).toBe(h.hash(2));
  });

  it("autoPromotionEnabled=false pauses until promote", () => {
    const h = blueGreen({ autoPromotionEnabled: false });
    v2(h);
    expect(h.status.phase).toBe("Paused");
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["BlueGreenPause"]);
    h.advance(3_600_000);
    expect(activeOf(h)).toBe(h.hash(1));
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(activeOf(h)).toBe(h.hash(2));
  });

  it("autoPromotionSeconds promotes that long after the preview became ready", () => {
    const h = blueGreen({ autoPromotionSeconds: 90 });
    h.readyCap[h.versionHash("v2")] = 0;
    v2(h);
    h.advance(30_000);
    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.previewReadyAt).toBe("2025-01-01T00:00:30.000Z");
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:02:00.000Z");
    expect(activeOf(h)).toBe(h.hash(1));
    h.wake();
    expect(activeOf(h)).toBe(h.hash(2));
    expect(h.status.phase).toBe("Healthy");
  });

  it("a failed pre-promotion analysis aborts: preview stays on the new revision, active on the old; retry succeeds", () => {
    const h = blueGreen({ prePromotionAnalysis: pre, abortScaleDownDelaySeconds: 60 });
    v2(h);
    const first = h.run("prePromotion");
    expect(h.runs[0]).toMatchObject({ role: "prePromotion", canaryRevision: h.hash(2), stableRevision: h.hash(1) });
    h.verdict("prePromotion", "Failed", "smoke test returned 500");
    expect(h.status.phase).toBe("Degraded");
    expect(h.traffic?.preview).toBe(h.hash(2));
    expect(activeOf(h)).toBe(h.hash(1));
    expect(h.replicas(2)).toBe(4);
    expect(h.status.message).toContain("smoke test returned 500");
    h.wake();
    expect(h.replicas(2)).toBe(0);
    expect(h.traffic?.preview).toBe(h.hash(2));

    h.command({ type: "retry" });
    expect(h.replicas(2)).toBe(4);
    const second = h.run("prePromotion");
    expect(second).not.toBe(first);
    h.verdict("prePromotion", "Successful");
    expect(h.status.phase).toBe("Healthy");
    expect(activeOf(h)).toBe(h.hash(2));
    expect(h.reasons().slice(2)).toEqual([
      "RolloutStarted",
      "PreviewReady",
      "AnalysisRunStarted",
      "RolloutAborted",
      "ScaledDown",
      "RolloutRetried",
      "PreviewReady",
      "AnalysisRunStarted",
      "Promoted",
      "RolloutCompleted",
    ]);
  });

  it("a failed post-promotion analysis switches back to the old revision, which kept its replicas", () => {
    const h = blueGreen({ postPromotionAnalysis: post, scaleDownDelaySeconds: 5 });
    v2(h);
    expect(activeOf(h)).toBe(h.hash(2));
    expect(h.status.phase).toBe("Progressing");
    h.advance(60_000); // longer than scaleDownDelaySeconds: the old revision must still be there
    expect(h.replicas(1)).toBe(4);
    h.verdict("postPromotion", "Failed", "error rate 7%");
    expect(h.status.phase).toBe("Degraded");
    expect(activeOf(h)).toBe(h.hash(1));
    expect(h.status.stableRevision).toBe(h.hash(1));
  });

  it("a successful post-promotion analysis completes the rollout", () => {
    const h = blueGreen({ postPromotionAnalysis: post });
    v2(h);
    h.verdict("postPromotion", "Successful");
    expect(h.status.phase).toBe("Healthy");
    expect(h.status.stableRevision).toBe(h.hash(2));
  });

  it("promote past an inconclusive pre-promotion analysis accepts it", () => {
    const h = blueGreen({ prePromotionAnalysis: pre, postPromotionAnalysis: post });
    v2(h);
    h.verdict("prePromotion", "Inconclusive");
    expect(h.status.phase).toBe("Paused");
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.runs.map((r) => r.role)).toEqual(["prePromotion"]);
  });

  it("a crash-looping preview aborts with its message", () => {
    const h = blueGreen({ prePromotionAnalysis: pre });
    h.failures[h.versionHash("v2")] = { crashLooping: { message: "exited with code 1 five times in 60s" } };
    v2(h);
    expect(h.status.phase).toBe("Degraded");
    expect(h.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("CrashLoop");
    expect(h.status.message).toContain("five times");
    expect(h.runs).toEqual([]);
  });
});
